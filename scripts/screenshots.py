#!/usr/bin/env python3
"""Take screenshots of Ordo's main pages in headless Chromium (Debian's
chromium and chromium-driver), through the WebDriver protocol with only the
standard library. Used to refresh docs/screenshots/ and to look at the pages
as a person would.

Usage: scripts/screenshots.py BASE_URL SLUG EMAIL PASSWORD OUT_DIR [LANG]

LANG is the browser's language (en-GB by default); with another one, the
files are named with it (meeting-fr.png).
"""
import base64, json, os, socket, subprocess, sys, tempfile, time, urllib.request

base, slug, email, password, out = sys.argv[1:6]
lang = sys.argv[6] if len(sys.argv) > 6 else "en"
suffix = "" if lang.startswith("en") else "-" + lang.split("-")[0]
os.makedirs(out, exist_ok=True)

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

port = free_port()
# As in the browser tests: Chromium may not raise its own priority (as
# root it would, and starve this machine's two cores).
driver = subprocess.Popen(
    ["setpriv", "--bounding-set=-sys_nice", "--inh-caps=-sys_nice", "--", "nice", "-n", "19",
     "chromedriver", f"--port={port}"],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
wd = f"http://127.0.0.1:{port}"

def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(wd + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read() or b"{}").get("value")

for _ in range(50):
    try:
        call("GET", "/status"); break
    except Exception:
        time.sleep(0.2)

profile = tempfile.mkdtemp()
caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
    "binary": "/usr/bin/chromium",
    "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--proxy-server=http://127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
             f"--user-data-dir={profile}", "--window-size=1280,860", f"--lang={lang}"],
    "prefs": {"intl.accept_languages": lang}}}}}
sid = call("POST", "/session", caps)["sessionId"]
s = f"/session/{sid}"

def go(path):
    call("POST", s + "/url", {"url": base + path})

def find(css):
    el = call("POST", s + "/element", {"using": "css selector", "value": css})
    return list(el.values())[0]

def shot(name, width=1280, height=860):
    name = name.replace(".png", suffix + ".png")
    call("POST", s + "/window/rect", {"width": width, "height": height})
    time.sleep(0.3)
    png = base64.b64decode(call("GET", s + "/screenshot"))
    with open(os.path.join(out, name), "wb") as f:
        f.write(png)
    print("wrote", name)

try:
    go(f"/t/{slug}/login")
    shot("login.png", 1024, 700)
    call("POST", s + f"/element/{find('#email')}/value", {"text": email})
    call("POST", s + f"/element/{find('#password')}/value", {"text": password})
    call("POST", s + f"/element/{find('button.primary')}/click", {})
    time.sleep(0.5)
    title = call("GET", s + "/title")
    print("after login:", title)
    go(f"/t/{slug}/")
    shot("home.png")
    shot("home-375.png", 375, 860)
    go(f"/t/{slug}/meetings")
    shot("meetings.png")
    shot("meetings-375.png", 375, 860)
    links = call("POST", s + "/elements", {"using": "css selector", "value": ".meeting-list a"})
    if links:
        # The newest first: next week's meeting (the sample's "upcoming").
        call("POST", s + f"/element/{list(links[-1].values())[0]}/click", {})
        time.sleep(0.5)
        shot("meeting.png", 1280, 1100)
        shot("meeting-375.png", 375, 900)
        meeting = call("GET", s + "/url").split("#")[0].split("?")[0]
        # The read-only minutes, and an element's page with the editor.
        call("POST", s + "/url", {"url": meeting + "/minutes"})
        time.sleep(0.5)
        shot("minutes.png", 1280, 1100)
        shot("minutes-375.png", 375, 900)
        call("POST", s + "/url", {"url": meeting})
        time.sleep(0.5)
        edits = call("POST", s + "/elements", {"using": "css selector", "value": "li.element a.el-open"})
        if edits:
            call("POST", s + f"/element/{list(edits[0].values())[0]}/click", {})
            time.sleep(0.5)
            shot("element-edit.png", 1280, 860)
            shot("element-edit-375.png", 375, 860)
    go(f"/t/{slug}/admin/actions")
    shot("actions.png")
    go(f"/t/{slug}/settings/profile")
    shot("profile.png")
    shot("profile-375.png", 375, 860)
    go(f"/t/{slug}/settings/sessions")
    shot("sessions.png")
    go(f"/t/{slug}/admin/members")
    shot("members.png")
    shot("members-375.png", 375, 800)
    go(f"/t/{slug}/admin/audit")
    shot("audit.png")
finally:
    call("DELETE", s)
    os.killpg(driver.pid, 15)
