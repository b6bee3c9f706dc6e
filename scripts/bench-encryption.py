#!/usr/bin/env python3
"""Measure the cost of encryption at rest on a page that decrypts about 100
fields: the member list (API) of a tenant with 50 members (e-mail and name
each), encryption on vs off, in one run on one machine, with wrk.

Usage: scripts/bench-encryption.py PATH/TO/ordo [SECONDS] [ROUNDS]
Prints a Markdown table for docs/benchmarks.md.
"""
import http.client, json, os, re, shutil, socket, subprocess, sys, tempfile, time, urllib.parse

ordo = sys.argv[1]
secs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
work = tempfile.mkdtemp(prefix="ordo-bench-")
data = os.path.join(work, "data")
env = dict(os.environ, ORDO_LOG="warn")
for k in ["ORDO_DATABASE_URL", "ORDO_SMTP_URL", "ORDO_CONFIG", "ORDO_MASTER_KEY_FILE"]:
    env.pop(k, None)

s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
base = f"http://127.0.0.1:{port}"
env["ORDO_PUBLIC_URL"] = base

def cli(*args):
    return subprocess.run([ordo, "--data-dir", data, *args], env=env, check=True, capture_output=True, text=True).stdout

links = {}
for slug, enc in [("benchon", "on"), ("benchoff", "off")]:
    out = cli("tenant", "create", "--slug", slug, "--name", f"Bench {enc}", "--owner-email", f"owner@{slug}.example", "--encryption", enc)
    links[slug] = out.strip().splitlines()[-1][len(base):]

server = subprocess.Popen([ordo, "--data-dir", data, "serve", "--listen", f"127.0.0.1:{port}"], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

def req(method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    h = dict(headers or {})
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read().decode()

for _ in range(100):
    try:
        if req("GET", "/healthz")[0] == 200:
            break
    except OSError:
        time.sleep(0.1)

def csrf(html):
    return re.search(r'name="_csrf" value="([^"]+)"', html).group(1)

def cookie_of(headers, name):
    for part in headers.get("set-cookie", "").split(","):
        m = re.search(name + r"=([^;]+)", part)
        if m:
            return m.group(1)
    return None

sessions = {}
try:
    for slug, link in links.items():
        st, h, html = req("GET", link)
        anon = cookie_of(h, "__Host-ordo-csrf")
        form = urllib.parse.urlencode({"_csrf": csrf(html), "display_name": "Owner of " + slug, "password": "correct horse battery staple"})
        st, h, _ = req("POST", link, form, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"__Host-ordo-csrf={anon}"})
        assert st == 303, st
        st, h, html = req("GET", f"/t/{slug}/login", headers={"Cookie": f"__Host-ordo-csrf={anon}"})
        form = urllib.parse.urlencode({"_csrf": csrf(html), "email": f"owner@{slug}.example", "password": "correct horse battery staple"})
        st, h, _ = req("POST", f"/t/{slug}/login", form, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"__Host-ordo-csrf={anon}"})
        assert st == 303, st
        sess = cookie_of(h, "__Host-ordo")
        st, h, html = req("GET", f"/t/{slug}/", headers={"Cookie": f"__Host-ordo={sess}"})
        token = csrf(html)
        for i in range(49):
            body = json.dumps({"email": f"member{i:02d}.firstname.lastname@{slug}.example", "role": "member"})
            st, _, b = req("POST", f"/t/{slug}/api/v1/members", body,
                           {"Content-Type": "application/json", "X-CSRF-Token": token, "Cookie": f"__Host-ordo={sess}"})
            assert st == 201, (st, b)
        st, _, b = req("GET", f"/t/{slug}/api/v1/members", headers={"Cookie": f"__Host-ordo={sess}"})
        assert st == 200 and len(json.loads(b)["members"]) == 50
        sessions[slug] = sess

    def run_wrk(slug):
        out = subprocess.run(["wrk", "-t2", "-c64", f"-d{secs}s", "--latency", "-H", f"Cookie: __Host-ordo={sessions[slug]}",
                              f"{base}/t/{slug}/api/v1/members"], capture_output=True, text=True, check=True).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        p50 = re.search(r"50%\s+([\d.]+\w+)", out).group(1)
        p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        assert not non2xx, out
        return rps, p50, p99

    results = {"benchon": [], "benchoff": []}
    for r in range(rounds):
        for slug in (["benchoff", "benchon"] if r % 2 == 0 else ["benchon", "benchoff"]):
            results[slug].append(run_wrk(slug))
    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
    print(f"Machine: {os.cpu_count()} CPUs ({cpu}); wrk -t2 -c64 -d{secs}s on the same machine; {rounds} alternating rounds.")
    print()
    print("| Round | Encryption off: req/s (p50 / p99) | Encryption on: req/s (p50 / p99) | on / off |")
    print("|---|---|---|---|")
    for i in range(rounds):
        off, on = results["benchoff"][i], results["benchon"][i]
        print(f"| {i + 1} | {off[0]:.0f} ({off[1]} / {off[2]}) | {on[0]:.0f} ({on[1]} / {on[2]}) | {on[0] / off[0]:.3f} |")
    mean_off = sum(x[0] for x in results["benchoff"]) / rounds
    mean_on = sum(x[0] for x in results["benchon"]) / rounds
    print(f"| mean | {mean_off:.0f} | {mean_on:.0f} | {mean_on / mean_off:.3f} |")
finally:
    server.terminate()
    server.wait()
    shutil.rmtree(work, ignore_errors=True)
