#!/usr/bin/env python3
"""Load-test the meeting page: a meeting with 100 elements in an encrypted
tenant, GET at 64 concurrent connections (requests/s, p50, p99), and adding
elements (writes/s), on SQLite and on PostgreSQL, with the server's peak
memory. Uses wrk (Debian package) on the same machine.

Usage: scripts/bench-meeting.py PATH/TO/ordo [SECONDS] [POSTGRES_URL]
(POSTGRES_URL: a database to connect to; the run creates and drops its own.)
"""
import http.client, json, os, re, shutil, socket, subprocess, sys, tempfile, time, urllib.parse

ordo = sys.argv[1]
secs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
pg = sys.argv[3] if len(sys.argv) > 3 else None

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def run(engine_url):
    work = tempfile.mkdtemp(prefix="ordo-bench-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, ORDO_LOG="warn", ORDO_PUBLIC_URL=base)
    for k in ["ORDO_SMTP_URL", "ORDO_CONFIG", "ORDO_MASTER_KEY_FILE", "ORDO_DATABASE_URL"]:
        env.pop(k, None)
    if engine_url:
        env["ORDO_DATABASE_URL"] = engine_url
    data = os.path.join(work, "data")
    out = subprocess.run([ordo, "--data-dir", data, "tenant", "create", "--slug", "bench", "--name", "Bench",
                          "--owner-email", "owner@bench.example"], env=env, check=True, capture_output=True, text=True).stdout
    link = out.strip().splitlines()[-1][len(base):]
    server = subprocess.Popen([ordo, "--data-dir", data, "serve", "--listen", f"127.0.0.1:{port}"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def req(method, path, body=None, headers=None):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode()
        for _ in range(100):
            try:
                if req("GET", "/healthz")[0] == 200: break
            except OSError:
                time.sleep(0.1)
        csrf = lambda h: re.search(r'name="_csrf" value="([^"]+)"', h).group(1)
        ck = lambda h, n: re.search(n + r"=([^;]+)", h.get("set-cookie", "")).group(1)
        st, h, html = req("GET", link); anon = ck(h, "__Host-ordo-csrf")
        form = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"__Host-ordo-csrf={anon}"}
        req("POST", link, urllib.parse.urlencode({"_csrf": csrf(html), "display_name": "Owner", "password": "correct horse battery staple"}), form)
        st, h, html = req("GET", "/t/bench/login", headers={"Cookie": f"__Host-ordo-csrf={anon}"})
        st, h, _ = req("POST", "/t/bench/login", urllib.parse.urlencode({"_csrf": csrf(html), "email": "owner@bench.example", "password": "correct horse battery staple"}), form)
        sess = ck(h, "__Host-ordo")
        st, h, html = req("GET", "/t/bench/", headers={"Cookie": f"__Host-ordo={sess}"})
        token = csrf(html)
        jh = {"Content-Type": "application/json", "X-CSRF-Token": token, "Cookie": f"__Host-ordo={sess}"}
        st, _, b = req("POST", "/t/bench/api/v1/meetings", json.dumps({"title": "Weekly", "starts_at": "2026-12-01T09:30", "time_zone": "Europe/Paris", "duration_minutes": 60}), jh)
        mid = json.loads(b)["id"]
        topics = []
        for i in range(5):
            st, _, b = req("POST", f"/t/bench/api/v1/meetings/{mid}/topics", json.dumps({"title": f"Topic {i}"}), jh)
            topics.append(json.loads(b)["id"])
        kinds = ["decision", "action", "discuss", "note"]
        t0 = time.time()
        for i in range(100):
            body = {"topic_id": topics[i % 5], "kind": kinds[i % 4], "title": f"Element {i} with a realistic title of some length",
                    "description": "<p>Some <b>notes</b> about it, a line or two long, as people write them.</p>"}
            st, _, b = req("POST", f"/t/bench/api/v1/meetings/{mid}/elements", json.dumps(body), jh)
            assert st == 201, b
        writes = 100 / (time.time() - t0)
        page_kib = len(req("GET", f"/t/bench/meetings/{mid}", headers={"Cookie": f"__Host-ordo={sess}"})[2].encode()) // 1024
        out = subprocess.run(["wrk", "-t2", "-c64", f"-d{secs}s", "--latency", "-H", f"Cookie: __Host-ordo={sess}",
                              f"{base}/t/bench/meetings/{mid}"], capture_output=True, text=True, check=True).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        p50 = re.search(r"50%\s+([\d.]+\w+)", out).group(1)
        p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
        assert "Non-2xx" not in out, out
        out2 = subprocess.run(["wrk", "-t2", "-c64", f"-d{secs}s", "-H", f"Cookie: __Host-ordo={sess}",
                               f"{base}/t/bench/api/v1/meetings/{mid}"], capture_output=True, text=True, check=True).stdout
        api_rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out2).group(1))
        hwm = re.search(r"VmHWM:\s+(\d+) kB", open(f"/proc/{server.pid}/status").read()).group(1)
        # The worst case: every view reads and decrypts the whole meeting, as
        # when each view follows a change (the cache of decrypted meetings off).
        server.terminate(); server.wait()
        server = subprocess.Popen([ordo, "--data-dir", data, "serve", "--listen", f"127.0.0.1:{port}"],
                                  env=dict(env, ORDO_MEETING_CACHE_ENTRIES="0"),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                if req("GET", "/healthz")[0] == 200: break
            except OSError:
                time.sleep(0.1)
        out3 = subprocess.run(["wrk", "-t2", "-c64", f"-d{secs}s", "--latency", "-H", f"Cookie: __Host-ordo={sess}",
                               f"{base}/t/bench/meetings/{mid}"], capture_output=True, text=True, check=True).stdout
        assert "Non-2xx" not in out3, out3
        cold = (float(re.search(r"Requests/sec:\s+([\d.]+)", out3).group(1)), re.search(r"99%\s+([\d.]+\w+)", out3).group(1))
        return rps, p50, p99, writes, int(hwm) // 1024, page_kib, api_rps, cold
    finally:
        server.terminate(); server.wait()
        shutil.rmtree(work, ignore_errors=True)

rows = [("SQLite", run(None))]
if pg:
    # A database of its own, dropped afterwards: the server given is left as it was.
    # Owned by a role that row-level security binds (no superuser, no
    # BYPASSRLS), as in production, so that the policies are paid for.
    name = f"ordo_bench_{os.getpid()}"
    subprocess.run(["psql", pg, "-qc", "DO $$ BEGIN CREATE ROLE ordo_app LOGIN NOSUPERUSER NOBYPASSRLS; "
                    "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"], check=True)
    subprocess.run(["psql", pg, "-qc", f'CREATE DATABASE "{name}" OWNER ordo_app'], check=True)
    host = pg.split("://", 1)[1].rsplit("@", 1)[-1].rsplit("/", 1)[0]
    try:
        rows.append(("PostgreSQL", run(f"postgres://ordo_app@{host}/{name}")))
    finally:
        subprocess.run(["psql", pg, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)
print(f"Machine: {os.cpu_count()} CPUs; wrk -t2 -c64 -d{secs}s on the same machine.")
print()
print("| Database | Meeting page (100 elements): req/s | p50 | p99 | Page size | Same meeting as JSON (API): req/s | Page, cache off: req/s (p99) | Adding an element: writes/s (one client) | Server peak memory |")
print("|---|---|---|---|---|---|---|---|---|")
for name, (rps, p50, p99, writes, mb, kib, api_rps, cold) in rows:
    print(f"| {name} | {rps:.0f} | {p50} | {p99} | {kib} KiB | {api_rps:.0f} | {cold[0]:.0f} ({cold[1]}) | {writes:.0f} | {mb} MiB |")
