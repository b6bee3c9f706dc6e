#!/usr/bin/env python3
"""Security scanners against a running Ordo, as an outside tester would run
them: sqlmap on the sign-in form, the search and a JSON API route (with a
session), and schemathesis on the OpenAPI document (with an API token).
Each is bounded in time. A finding, a 5xx answer or a scanner that tested
nothing fails the run (exit 1).

Usage: scripts/scan.py PATH/TO/ordo [POSTGRES_ADMIN_URL]
Needs: sqlmap (Debian package) on PATH, schemathesis importable as `st`
(the test script installs both). With a PostgreSQL URL, sqlmap runs on
both engines (the SQL dialects differ); schemathesis on SQLite only.
"""
import http.client, json, os, re, shutil, socket, subprocess, sys, tempfile, time, urllib.parse, uuid

ORDO = sys.argv[1]
PG_ADMIN = sys.argv[2] if len(sys.argv) > 2 else None
ST = os.environ.get("ORDO_SCHEMATHESIS", shutil.which("st") or "st")
SQLMAP_SECS = int(os.environ.get("ORDO_SQLMAP_SECONDS", "120"))
ST_SECS = int(os.environ.get("ORDO_SCHEMATHESIS_SECONDS", "180"))
PASSWORD = "correct horse battery staple"
failures = []


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def log(msg):
    print(f"    {msg}", flush=True)


class Server:
    """`ordo serve` on a fresh data directory, with one tenant, its owner
    signed in, a meeting with a topic and an element, and an API token."""

    def __init__(self, database_url=None):
        self.work = tempfile.mkdtemp(prefix="ordo-scan-")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, ORDO_LOG="info", ORDO_PUBLIC_URL=self.base, NO_COLOR="1",
                   # sqlmap's xforwardedfor tamper gives each request its own
                   # address, so the per-address sign-in throttle leaves the
                   # scanner room to reach the SQL.
                   ORDO_TRUSTED_PROXIES="127.0.0.1")
        for k in ["ORDO_SMTP_URL", "ORDO_CONFIG", "ORDO_MASTER_KEY_FILE", "ORDO_DATABASE_URL"]:
            env.pop(k, None)
        if database_url:
            env["ORDO_DATABASE_URL"] = database_url
        data = os.path.join(self.work, "data")
        out = subprocess.run([ORDO, "--data-dir", data, "tenant", "create", "--slug", "scan", "--name", "Scan",
                              "--owner-email", "owner@scan.example"], env=env, check=True, capture_output=True,
                             text=True).stdout
        link = out.strip().splitlines()[-1][len(self.base):]
        self.log = open(os.path.join(self.work, "server.log"), "w")
        self.proc = subprocess.Popen([ORDO, "--data-dir", data, "serve", "--listen", f"127.0.0.1:{self.port}"],
                                     env=env, stdout=self.log, stderr=self.log)
        for _ in range(200):
            try:
                if self.req("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        csrf = lambda h: re.search(r'name="_csrf" value="([^"]+)"', h).group(1)
        ck = lambda h, n: re.search(n + r"=([^;]+)", h.get("set-cookie", "")).group(1)
        st, h, html = self.req("GET", link)
        anon = ck(h, "__Host-ordo-csrf")
        form = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"__Host-ordo-csrf={anon}"}
        self.req("POST", link, urllib.parse.urlencode(
            {"_csrf": csrf(html), "display_name": "Owner", "password": PASSWORD}), form)
        st, h, html = self.req("GET", "/t/scan/login", headers={"Cookie": f"__Host-ordo-csrf={anon}"})
        # A visitor's anti-forgery pair, for sqlmap's sign-in attempts.
        self.anon_cookie, self.anon_csrf = anon, csrf(html)
        st, h, _ = self.req("POST", "/t/scan/login", urllib.parse.urlencode(
            {"_csrf": csrf(html), "email": "owner@scan.example", "password": PASSWORD}), form)
        self.session = ck(h, "__Host-ordo")
        st, h, html = self.req("GET", "/t/scan/", headers={"Cookie": f"__Host-ordo={self.session}"})
        self.csrf = csrf(html)
        self.json_headers = {"Content-Type": "application/json", "X-CSRF-Token": self.csrf,
                             "Cookie": f"__Host-ordo={self.session}"}
        st, _, b = self.req("POST", "/t/scan/api/v1/meetings", json.dumps(
            {"title": "Budget review", "starts_at": "2030-01-07T09:30", "time_zone": "Europe/Paris",
             "duration_minutes": 60}), self.json_headers)
        assert st == 201, b
        self.meeting = json.loads(b)["id"]
        st, _, b = self.req("POST", f"/t/scan/api/v1/meetings/{self.meeting}/topics",
                            json.dumps({"title": "Budget"}), self.json_headers)
        assert st == 201, b
        self.topic = json.loads(b)["id"]
        st, _, b = self.req("POST", f"/t/scan/api/v1/meetings/{self.meeting}/elements", json.dumps(
            {"topic_id": self.topic, "kind": "decision", "title": "Budget approved"}), self.json_headers)
        assert st == 201, b
        st, _, b = self.req("POST", "/t/scan/api/v1/tokens", json.dumps({"name": "scanner"}), self.json_headers)
        assert st == 201, b
        self.token = json.loads(b)["secret"]

    def req(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode(errors="replace")

    def server_errors(self):
        """5xx answers the server logged (its own account, beside the scanners')."""
        self.log.flush()
        text = open(self.log.name, errors="replace").read()
        return [l for l in text.splitlines() if re.search(r'status[=:" ]+5\d\d', l)]

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
        if not failures:
            shutil.rmtree(self.work, ignore_errors=True)


def sqlmap(server, name, dbms, args):
    out_dir = os.path.join(server.work, "sqlmap", name)
    cmd = ["sqlmap", "--batch", "--flush-session", "--disable-coloring", f"--output-dir={out_dir}",
           f"--dbms={dbms}", "--level=2", "--risk=1", "--time-sec=2", "--timeout=15", "--retries=0",
           "--threads=1", "--tamper=xforwardedfor", "--answers=follow=N"] + args
    log(f"sqlmap {name} ({dbms})")
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=SQLMAP_SECS)
        out = p.stdout + p.stderr
        timed_out = False
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        timed_out = True
    tested = len(re.findall(r"testing '", out))
    if "identified the following injection point" in out or re.search(r"parameter '.*' is vulnerable", out):
        failures.append(f"sqlmap {name}: an injection point was found\n{out[-3000:]}")
    m = re.search(r"HTTP error codes detected during run:\n?(.*)", out)
    if m and re.search(r"\b5\d\d\b", m.group(1)):
        failures.append(f"sqlmap {name}: server errors: {m.group(1)}")
    if tested < 5:
        failures.append(f"sqlmap {name}: only {tested} payload families tried; the scan tested nothing\n{out[-3000:]}")
    log(f"  {tested} payload families tried{' (time bound reached)' if timed_out else ''}")


def sqlmap_all(server, dbms, tag):
    cookie = f"__Host-ordo={server.session}"
    # A visitor's real anti-forgery pair (the token in its header, as scripts
    # send it), so that attempts reach the sign-in: a forged one is refused
    # before any SQL.
    sqlmap(server, f"login-{tag}", dbms, [
        "-u", f"{server.base}/t/scan/login", "--method=POST", f"--cookie=__Host-ordo-csrf={server.anon_cookie}",
        f"--headers=X-CSRF-Token: {server.anon_csrf}", "--data=email=someone%40scan.example&password=not+the+password",
        "--ignore-code=401,429", "-p", "email,password"])
    sqlmap(server, f"search-{tag}", dbms, [
        "-u", f"{server.base}/t/scan/search?q=budget", f"--cookie={cookie}", "-p", "q"])
    body = json.dumps({"title": "Budget", "place": "Room 2", "objectives": "Agree on it"})
    sqlmap(server, f"api-json-{tag}", dbms, [
        "-u", f"{server.base}/t/scan/api/v1/meetings/{server.meeting}", "--method=PATCH", f"--data={body}",
        f"--cookie={cookie}", f"--headers=X-CSRF-Token: {server.csrf}\nContent-Type: application/json",
        "-p", "title,place,objectives"])


REFERENCES = [
    "POST /t/{slug}/api/v1/meetings",
    "POST /t/{slug}/api/v1/templates",
    "POST /t/{slug}/api/v1/support/grants",
    "POST /t/{slug}/api/v1/meetings/{id}/elements",
    "PATCH /t/{slug}/api/v1/meetings/{id}/elements/{element}",
    "POST /t/{slug}/api/v1/meetings/{id}/elements/{element}/move",
    "POST /t/{slug}/api/v1/meetings/{id}/images",
    "POST /t/{slug}/api/v1/meetings/{id}/topics",
    "POST /t/{slug}/api/v1/meetings/{id}/topics/{topic}/contributors",
    "POST /t/{slug}/api/v1/meetings/{id}/participants",
    "POST /t/{slug}/api/v1/me/password",
    # Recipients by id, who must be invited participants.
    "POST /t/{slug}/api/v1/meetings/{id}/minutes/send",
    # A time zone by name, which must be one the zone database knows.
    "PATCH /t/{slug}/api/v1/me",
]


def schemathesis(server):
    cfg = os.path.join(server.work, "schemathesis.toml")
    with open(cfg, "w") as f:
        # The tenant of the scan, and the ids that exist in it, so that the
        # generated calls reach the handlers and not only the 404 of an
        # unknown tenant.
        f.write(f'[parameters]\nslug = "scan"\n')
        # Bodies that name other records (by id: a template, a meeting, a
        # topic, a parent topic, owners, a support member, a contributor; by
        # address: a participant, who must be a member; by name: an owner
        # after @ in an element's title, "@mia"; recipients of the minutes;
        # a time zone by its name) or carry a secret
        # to verify (the current password): a valid shape can still name
        # nothing in the tenant, and the answer is 422 naming the field.
        # Everywhere else, a body the schema allows must be accepted.
        f.write("[[operations]]\ninclude-name = [\n")
        for op in REFERENCES:
            f.write(f'  "{op}",\n')
        f.write(']\nchecks.positive_data_acceptance.expected-statuses = '
                '["2xx", "3xx", "401", "403", "404", "409", "422", "429"]\n')
    report = os.path.join(server.work, "st")
    cmd = [ST, "--no-color", "--config-file", cfg, "run", f"{server.base}/api/openapi.json", "--url", server.base,
           "-H", f"Authorization: Bearer {server.token}",
           "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
                       "response_schema_conformance,response_headers_conformance,negative_data_rejection,"
                       "positive_data_acceptance",
           "--max-examples", "25", "--max-time", str(ST_SECS), "--workers", "1", "--seed", "20261203",
           "--request-timeout", "20", "--report", "junit", "--report-dir", report,
           # Revoking the scanner's own token would end the run early.
           "--exclude-path-regex", r"/tokens/\{id\}$"]
    log("schemathesis " + server.base)
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=ST_SECS + 120)
    except subprocess.TimeoutExpired:
        failures.append("schemathesis did not finish within its bound")
        return
    out = p.stdout + p.stderr
    print("\n".join(out.splitlines()[-40:]))
    if p.returncode != 0:
        failures.append(f"schemathesis: failures (exit {p.returncode})\n{out[-6000:]}")
    m = re.search(r"(\d+) generated", out)
    if not m or int(m.group(1)) < 100:
        failures.append("schemathesis: too few cases generated; the scan tested nothing")


def main():
    print("==> scanning a server on SQLite", flush=True)
    s = Server()
    try:
        sqlmap_all(s, "SQLite", "sqlite")
        schemathesis(s)
        errors = s.server_errors()
        if errors:
            failures.append("server errors logged on SQLite:\n" + "\n".join(errors[:20]))
    finally:
        s.stop()
    if PG_ADMIN:
        name = "ordo_t_scan_" + uuid.uuid4().hex[:12]
        # As in production: a role that row-level security binds.
        subprocess.run(["psql", PG_ADMIN, "-qc", "DO $$ BEGIN CREATE ROLE ordo_app LOGIN NOSUPERUSER NOBYPASSRLS; "
                        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"], check=True)
        subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {name} OWNER ordo_app"], check=True)
        host = PG_ADMIN.split("://", 1)[1].rsplit("@", 1)[-1].rsplit("/", 1)[0]
        print("==> scanning a server on PostgreSQL", flush=True)
        s = Server(f"postgres://ordo_app@{host}/{name}")
        try:
            sqlmap_all(s, "PostgreSQL", "postgres")
            errors = s.server_errors()
            if errors:
                failures.append("server errors logged on PostgreSQL:\n" + "\n".join(errors[:20]))
        finally:
            s.stop()
            subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {name}"])
    if failures:
        print("\nFAIL: the scanners found problems:", file=sys.stderr)
        for f in failures:
            print("---\n" + f, file=sys.stderr)
        sys.exit(1)
    print("==> scanners: nothing found", flush=True)


main()
