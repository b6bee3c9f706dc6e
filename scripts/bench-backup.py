#!/usr/bin/env python3
"""Measure backups and restores: for each size, fill a tenant with realistic
meetings (`ordo demo generate`), back it up (`ordo backup run`), then restore
it on a "new machine": a fresh, empty database with the keys and the backups
(`ordo restore`), timing each and reading peak memory. Prints a Markdown
table for docs/benchmarks.md.

Usage: scripts/bench-backup.py PATH/TO/ordo [SIZES_MB] [POSTGRES_URL]
  SIZES_MB: comma-separated, default 512,1024,2048
  POSTGRES_URL: also measure on PostgreSQL (a database of its own is created
  and dropped on that server); BENCH_ENGINES=postgres measures only that
"""
import os, re, shutil, sqlite3, subprocess, sys, tempfile, time

ordo = sys.argv[1]
sizes = [int(s) for s in (sys.argv[2] if len(sys.argv) > 2 else "512,1024,2048").split(",")]
pg = sys.argv[3] if len(sys.argv) > 3 else None

def run(args, env):
    """Run ordo under /usr/bin/time -v: (seconds, peak MiB, stdout)."""
    t0 = time.time()
    p = subprocess.run(["/usr/bin/time", "-v", ordo] + args, env=env, capture_output=True, text=True)
    secs = time.time() - t0
    if p.returncode != 0:
        raise SystemExit(f"ordo {' '.join(args)} failed:\n{p.stdout}\n{p.stderr}")
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1)) // 1024
    return secs, peak, p.stdout

def dir_size(path):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)

def one(size_mb, engine_url):
    work = tempfile.mkdtemp(prefix="ordo-bench-backup-")
    a, b, backups = (os.path.join(work, x) for x in ("a", "b", "backups"))
    env = dict(os.environ, ORDO_LOG="warn", ORDO_BACKUP_DIR=backups)
    for k in ["ORDO_SMTP_URL", "ORDO_CONFIG", "ORDO_MASTER_KEY_FILE", "ORDO_DATABASE_URL", "ORDO_KEY_DIR"]:
        env.pop(k, None)
    dbs = []
    def db_env(name):
        e = dict(env)
        if engine_url:
            db = f"ordo_bench_{os.getpid()}_{name}"
            subprocess.run(["psql", engine_url, "-qc", f'CREATE DATABASE "{db}"'], check=True)
            dbs.append(db)
            base, _, query = engine_url.partition("?")
            e["ORDO_DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + db + (f"?{query}" if query else "")
        return e
    try:
        ea = db_env("a")
        run(["--data-dir", a, "tenant", "create", "--slug", "bench", "--name", "Bench", "--owner-email", "o@bench.example"], ea)
        gen_s, _, out = run(["--data-dir", a, "demo", "generate", "--tenant", "bench", "--size-mb", str(size_mb)], ea)
        if engine_url:
            db_bytes = int(subprocess.run(["psql", ea["ORDO_DATABASE_URL"], "-Atc", "SELECT pg_database_size(current_database())"],
                                          capture_output=True, text=True, check=True).stdout.strip())
        else:
            con = sqlite3.connect(os.path.join(a, "ordo.db"))
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            con.close()
            db_bytes = dir_size(a) - dir_size(os.path.join(a, "keys"))
        backup_s, backup_mb, _ = run(["--data-dir", a, "backup", "run", "--tenant", "bench"], ea)
        archive = dir_size(backups)
        _, _, listing = run(["--data-dir", a, "backup", "list", "--tenant", "bench"], ea)
        snapshot = listing.splitlines()[1].split()[0]
        # The new machine: its own empty database; the master key and the key
        # store restored from their own backup; the same backup storage.
        os.makedirs(b)
        shutil.copy(os.path.join(a, "master.key"), os.path.join(b, "master.key"))
        shutil.copytree(os.path.join(a, "keys"), os.path.join(b, "keys"))
        eb = db_env("b")
        restore_s, restore_mb, _ = run(["--data-dir", b, "restore", "--tenant", "bench", "--snapshot", snapshot], eb)
        return dict(size=size_mb, db=db_bytes // 1_000_000, gen=gen_s, backup=backup_s, backup_mb=backup_mb, archive=archive,
                    restore=restore_s, restore_mb=restore_mb)
    finally:
        for db in dbs:
            subprocess.run(["psql", engine_url, "-qc", f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'], check=False)
        shutil.rmtree(work, ignore_errors=True)

rows = []
engines = [("SQLite", None)] + ([("PostgreSQL", pg)] if pg else [])
if os.environ.get("BENCH_ENGINES") == "postgres":
    engines = [e for e in engines if e[1]]
for engine, url in engines:
    for s in sizes:
        r = one(s, url)
        rows.append((engine, r))
        print(f"# {engine} {s} MB: backup {r['backup']:.1f} s, restore {r['restore']:.1f} s", file=sys.stderr)

print(f"Machine: {os.cpu_count()} CPUs. Data: `ordo demo generate` (meetings with text, remarks and two 256x192 photos each).")
print()
print("| Database | Tenant data (generated) | Database size | Archive | Backup: time (MB/s) | Backup peak memory | Restore on a new machine: time (MB/s) | Restore peak memory | Restore s per GB |")
print("|---|---|---|---|---|---|---|---|---|")
for engine, r in rows:
    mb = r["size"]
    print(f"| {engine} | {mb} MB | {r['db']} MB | {r['archive'] // 1_000_000} MB | {r['backup']:.1f} s ({mb / r['backup']:.0f}) | {r['backup_mb']} MiB "
          f"| {r['restore']:.1f} s ({mb / r['restore']:.0f}) | {r['restore_mb']} MiB | {r['restore'] / (mb / 1000):.1f} |")
