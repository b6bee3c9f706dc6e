#!/usr/bin/env python3
"""Compare restore times in one run (docs/benchmarks.md, 2026-11-30): one
tenant generated and backed up once per engine, then restored ROUNDS times
into fresh databases — SQLite, PostgreSQL through its Unix socket, and
PostgreSQL over TCP — printing each time and the best per variant.

Usage: scripts/bench-restore.py PATH/TO/ordo [SIZE_MB] [ROUNDS]
  PostgreSQL: 127.0.0.1:5432 (TCP) and /var/run/postgresql (socket), as the
  role ordo_app (created if missing: no superuser, no BYPASSRLS, so that
  row-level security binds it as in production); databases of its own are
  created and dropped, administered as postgres.
"""
import os, shutil, subprocess, sys, tempfile, time

ordo = sys.argv[1]
size = int(sys.argv[2]) if len(sys.argv) > 2 else 256
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 2
admin = "postgres://postgres@127.0.0.1:5432/postgres"
tcp = "postgres://ordo_app@127.0.0.1:5432"
socket = "postgres://ordo_app@localhost/{db}?host=/var/run/postgresql"

def psql(sql):
    subprocess.run(["psql", admin, "-qc", sql], check=True, capture_output=True)

psql("DO $$ BEGIN CREATE ROLE ordo_app LOGIN NOSUPERUSER NOBYPASSRLS; "
     "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$")

def run(args, env):
    t = time.time()
    p = subprocess.run([ordo] + args, env=env, capture_output=True, text=True)
    if p.returncode:
        raise SystemExit(f"ordo {' '.join(args)} failed:\n{p.stdout}{p.stderr}")
    return time.time() - t, p.stdout

work = tempfile.mkdtemp(prefix="ordo-bench-restore-")
base = dict(os.environ, ORDO_LOG="warn")
for k in ["ORDO_SMTP_URL", "ORDO_CONFIG", "ORDO_MASTER_KEY_FILE", "ORDO_DATABASE_URL", "ORDO_KEY_DIR"]:
    base.pop(k, None)
best = {}
try:
    for engine in ["sqlite", "postgres"]:
        src = os.path.join(work, f"src-{engine}")
        env = dict(base, ORDO_BACKUP_DIR=os.path.join(work, f"backups-{engine}"))
        if engine == "postgres":
            psql("DROP DATABASE IF EXISTS ordo_bench_src WITH (FORCE)")
            psql("CREATE DATABASE ordo_bench_src OWNER ordo_app")
            env_src = dict(env, ORDO_DATABASE_URL=tcp + "/ordo_bench_src")
        else:
            env_src = env
        run(["--data-dir", src, "tenant", "create", "--slug", "bench", "--name", "Bench", "--owner-email", "o@bench.example"], env_src)
        run(["--data-dir", src, "demo", "generate", "--tenant", "bench", "--size-mb", str(size)], env_src)
        run(["--data-dir", src, "backup", "run", "--tenant", "bench"], env_src)
        snapshot = run(["--data-dir", src, "backup", "list", "--tenant", "bench"], env_src)[1].splitlines()[1].split()[0]
        variants = ["sqlite"] if engine == "sqlite" else ["postgres-socket", "postgres-tcp"]
        for r in range(rounds):
            for v in variants:
                dest = os.path.join(work, f"{v}-{r}")
                os.makedirs(dest)
                shutil.copy(os.path.join(src, "master.key"), dest)
                shutil.copytree(os.path.join(src, "keys"), os.path.join(dest, "keys"))
                e = dict(env)
                if v != "sqlite":
                    db = f"ordo_bench_{r}_{v.replace('-', '_')}"
                    psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
                    psql(f"CREATE DATABASE {db} OWNER ordo_app")
                    e["ORDO_DATABASE_URL"] = tcp + "/" + db if v.endswith("tcp") else socket.format(db=db)
                run(["--data-dir", dest, "migrate"], e)
                secs, _ = run(["--data-dir", dest, "restore", "--tenant", "bench", "--snapshot", snapshot], e)
                best[v] = min(best.get(v, secs), secs)
                print(f"round {r} {v}: {secs:.2f} s", flush=True)
                if v != "sqlite":
                    psql(f"DROP DATABASE {db} WITH (FORCE)")
finally:
    psql("DROP DATABASE IF EXISTS ordo_bench_src WITH (FORCE)")
    shutil.rmtree(work, ignore_errors=True)
print(f"\nMachine: {os.cpu_count()} CPUs. {size} MB tenant, best of {rounds}:")
for v, secs in best.items():
    print(f"- {v}: {secs:.2f} s ({secs / (size / 1000):.1f} s/GB)")
