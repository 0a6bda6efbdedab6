#!/usr/bin/env python3
"""Real-browser test of the Kiln web console (issue #13).

Drives headless Chromium (Selenium) against a real group of two kiln-server processes and real
`kiln` CLI clients, and asserts on what the page shows (DOM text and classes):
topology lights (ACTIVE green, PASSIVE-STANDBY cyan), the root browser, the lock profiler, the
stats charts, token-guarded actions, and failover after kill -9 of the active.
Saves one screenshot per tab under docs/images/ (or $KILN_CONSOLE_SCREENSHOTS).

Run through integration/console/run.sh (it builds nothing: target/debug binaries must exist).
"""
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TARGET = os.environ.get("KILN_TARGET_DIR", os.path.join(ROOT, "target", "debug"))
SERVER = os.path.join(TARGET, "kiln-server")
CLI = os.path.join(TARGET, "kiln")
# Screenshots: docs/images by default (the committed ones docs/operations.md shows);
# scripts/test.sh points KILN_CONSOLE_SCREENSHOTS at build/ so a test run leaves the tree clean.
IMAGES = os.path.abspath(os.environ.get("KILN_CONSOLE_SCREENSHOTS", os.path.join(ROOT, "docs", "images")))
TOKEN = "console-test-s3cret"
MAP_ROOT = "browser-map"
COUNTER_ROOT = "browser-counter"


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_ports(n):
    """n distinct loopback ports in 20000-32000 that are free right now."""
    ports = []
    while len(ports) < n:
        p = random.randint(20000, 32000)
        if p in ports:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", p))
            except OSError:
                continue
        ports.append(p)
    return ports


def wait_for(what, fn, timeout):
    """Polls fn until it returns a truthy value; fails with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last_err = None
    while time.monotonic() < deadline:
        try:
            v = fn()
            if v:
                return v
        except Exception as e:  # stale elements, connection refused while starting
            last_err = e
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last error: {last_err})")


def http(port, method, path, token=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, {}


class Group:
    """Two servers (s1, s2) in one group, with a management token set as a tc-property."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="kiln-console-")
        p = free_ports(6)
        self.ports = {"s1": p[0:3], "s2": p[3:6]}  # dso, jmx, group
        servers = ""
        for name, (dso, jmx, grp) in self.ports.items():
            servers += f"""    <server host="127.0.0.1" name="{name}" bind="127.0.0.1">
      <data>{self.dir}/{name}/data</data>
      <logs>{self.dir}/{name}/logs</logs>
      <dso-port>{dso}</dso-port>
      <jmx-port>{jmx}</jmx-port>
      <l2-group-port>{grp}</l2-group-port>
    </server>
"""
        self.config = os.path.join(self.dir, "tc-config.xml")
        with open(self.config, "w") as f:
            f.write(f"""<?xml version="1.0" encoding="UTF-8"?>
<tc:tc-config xmlns:tc="http://www.terracotta.org/config">
  <tc-properties>
    <property name="l2.management.token" value="{TOKEN}"/>
  </tc-properties>
  <servers>
{servers}    <ha><mode>networked-active-passive</mode><networked-active-passive><election-time>1</election-time></networked-active-passive></ha>
  </servers>
</tc:tc-config>
""")
        self.procs = {}

    def jmx(self, name):
        return self.ports[name][1]

    def dso(self, name):
        return f"127.0.0.1:{self.ports[name][0]}"

    def start(self, name):
        out = open(os.path.join(self.dir, f"{name}.out"), "ab")
        env = dict(os.environ, KILN_LOG=os.environ.get("KILN_LOG", "info"))
        self.procs[name] = subprocess.Popen(
            [SERVER, "-f", self.config, "-n", name], cwd=self.dir, env=env,
            stdout=subprocess.DEVNULL, stderr=out, start_new_session=True)
        wait_for(f"{name} admin port", lambda: http(self.jmx(name), "GET", "/status")[0] == 200, 20)

    def kill9(self, name):
        p = self.procs.pop(name, None)
        if p and p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=10)

    def log_of(self, name):
        try:
            with open(os.path.join(self.dir, f"{name}.out"), errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def cleanup(self):
        for name in list(self.procs):
            self.kill9(name)
        shutil.rmtree(self.dir, ignore_errors=True)


def kiln(group, *args, server="s1", check=True):
    r = subprocess.run([CLI, "-s", group.dso(server), *args], capture_output=True, text=True, timeout=30)
    if check and r.returncode != 0:
        raise AssertionError(f"kiln {' '.join(args)} failed ({r.returncode}): {r.stderr}")
    return r.stdout


def browser():
    opts = Options()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1400,1000"):
        opts.add_argument(a)
    opts.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    return webdriver.Chrome(options=opts, service=service)


def light_of(d, server):
    """The colour class of `server`'s light on the Topology tab, or None if not shown."""
    # One script call: the tab re-renders every second, so no element handle is kept.
    cls = (d.execute_script("const e = document.querySelector(arguments[0]); return e ? e.className : '';",
                            f'.server[data-server="{server}"] .light') or "").split()
    return next((c for c in cls if c in ("green", "cyan", "orange", "red")), None)


def tab(d, name):
    d.find_element(By.CSS_SELECTOR, f'#tabs button[data-tab="{name}"]').click()
    wait_for(f"tab {name} shown", lambda: "active" in d.find_element(By.ID, f"tab-{name}").get_attribute("class"), 5)


def shot(d, name):
    os.makedirs(IMAGES, exist_ok=True)
    path = os.path.join(IMAGES, f"console-{name}.png")
    d.save_screenshot(path)
    log(f"screenshot {path}")


def action_result(d):
    el = d.find_element(By.ID, "action-result")
    return el.get_attribute("class"), el.text


def run():
    for b in (SERVER, CLI):
        if not os.access(b, os.X_OK):
            raise SystemExit(f"{b} is missing: run `cargo build --workspace --bins` first")
    g = Group()
    d = None
    loops = []
    try:
        # 1. Server A alone: ACTIVE, green.
        log("starting s1")
        g.start("s1")
        d = browser()
        d.set_page_load_timeout(20)
        d.get(f"http://127.0.0.1:{g.jmx('s1')}/")
        assert "Kiln console" in d.title, d.title
        wait_for("s1 green on s1's page", lambda: light_of(d, "s1") == "green", 30)
        wait_for("header shows ACTIVE-COORDINATOR",
                 lambda: d.find_element(By.ID, "server-state").text == "ACTIVE-COORDINATOR", 10)
        log("s1 is green (ACTIVE)")

        # 2. Server B joins: PASSIVE-STANDBY, cyan (orange while it syncs, not required).
        g.start("s2")
        seen = set()

        def s2_cyan():
            c = light_of(d, "s2")
            seen.add(c)
            return c == "cyan"
        wait_for("s2 cyan (PASSIVE-STANDBY) on s1's page", s2_cyan, 40)
        assert light_of(d, "s1") == "green"
        log(f"s2 is cyan (PASSIVE-STANDBY); lights seen for s2: {sorted(str(x) for x in seen)}")
        # s1 reaches s2's management port (the row loses the error s1 saw before s2 listened).
        wait_for("s2's row without a management error on s1's page", lambda: "error" not in
                 d.find_element(By.CSS_SELECTOR, '.server[data-server="s2"] .kv').text.split(), 15)
        shot(d, "topology")

        # 3. A client writes a map; the Roots tab lists it and shows its entries.
        entries = {"alpha": "one", "beta": "two", "gamma": "three"}
        for k, v in entries.items():
            kiln(g, "map", "put", MAP_ROOT, k, v)
        tab(d, "roots")
        row = wait_for("root row", lambda: d.find_elements(By.CSS_SELECTOR, f'#roots tr[data-root="{MAP_ROOT}"]'), 10)[0]
        row.find_element(By.CSS_SELECTOR, "a.ref").click()

        def entries_shown():
            rows = d.find_elements(By.CSS_SELECTOR, "#entries tbody tr")
            cells = [[td.text for td in r.find_elements(By.TAG_NAME, "td")] for r in rows]
            shown = {c[0].strip('"'): c[1].strip('"') for c in cells if len(c) == 2}
            return shown == entries and shown
        wait_for(f"map entries {entries} on the Roots tab", entries_shown, 10)
        assert "map" in d.find_element(By.ID, "object-meta").text
        log("Roots tab shows the map and its entries")
        shot(d, "roots")

        # 4. Profiler on, two clients contend one lock (a counter); the Locks tab shows it.
        st, body = http(g.jmx("s1"), "POST", "/api/profiler?enabled=true")
        assert st in (401, 403), f"profiler switch without the token: HTTP {st}"
        st, body = http(g.jmx("s1"), "POST", "/api/profiler?enabled=true", token=TOKEN)
        assert st == 200, f"profiler switch with the token: HTTP {st} {body}"
        # Two loops of `kiln counter incr` (each run a new client) until the test has seen the
        # contention and the stats (a stop file), at most 300 increments each.
        stop = os.path.join(g.dir, "stop-loops")
        outs = [os.path.join(g.dir, f"loop{i}.out") for i in range(2)]
        loops = [subprocess.Popen(["bash", "-c", f'for i in $(seq 1 300); do [ -e "{stop}" ] && exit 0; '
                                   f'"{CLI}" -s {g.dso("s1")} counter incr {COUNTER_ROOT} >>"{out}" || exit 1; done'],
                                  start_new_session=True) for out in outs]
        tab(d, "locks")

        def contended_row():
            for r in d.find_elements(By.CSS_SELECTOR, "#lock-table tbody tr[data-lock]"):
                c = [td.text for td in r.find_elements(By.TAG_NAME, "td")]
                # columns: lock kind requests awards recalls contended ...
                if int(c[4]) > 0 or int(c[5]) > 0:
                    return c
            return None
        row = wait_for("a lock with recalls/contended > 0 on the Locks tab", contended_row, 45)
        assert "profiler on" in d.find_element(By.ID, "locks").text
        log(f"Locks tab: lock {row[0]} requests={row[2]} recalls={row[4]} contended={row[5]}")
        shot(d, "locks")

        # 5. Stats: the transactions chart has non-zero samples while the clients commit.
        tab(d, "stats")

        def txn_chart_max():
            for c in d.find_elements(By.CSS_SELECTOR, "#charts .chart"):
                if c.find_element(By.TAG_NAME, "h4").text.startswith("transactions / s"):
                    m = c.find_element(By.CSS_SELECTOR, "svg text").text  # "max N"
                    if m.startswith("max ") and float(m[4:]) > 0 and c.find_elements(By.CSS_SELECTOR, "path"):
                        return m
            return None
        m = wait_for("txn/s chart with a non-zero max", txn_chart_max, 30)
        assert len(d.find_elements(By.CSS_SELECTOR, "#charts .chart")) >= 4
        log(f"Stats tab: transactions / s chart, {m}")
        shot(d, "stats")
        open(stop, "w").close()
        for p in loops:
            p.wait(timeout=30)
            assert p.returncode == 0, "a counter loop failed"
        loops = []
        values = [int(x) for o in outs for x in open(o).read().split()]
        final = int(kiln(g, "counter", "incr", COUNTER_ROOT).strip())
        assert sorted(values) == list(range(1, len(values) + 1)) and final == len(values) + 1, \
            f"increments lost or repeated: {len(values)} increments, final {final}"
        log(f"{len(values)} contended increments, none lost or repeated")

        # 6. Actions: Run DGC without the token is refused (error on the page); with it, it runs.
        tab(d, "actions")
        assert "requires the token" in d.find_element(By.ID, "auth-note").text
        d.find_element(By.ID, "token").clear()
        d.find_element(By.ID, "act-dgc").click()
        wait_for("confirmation dialog", lambda: "hidden" not in d.find_element(By.ID, "modal").get_attribute("class"), 5)
        d.find_element(By.ID, "modal-ok").click()
        cls, text = wait_for("refusal shown", lambda: (lambda r: r if r[0] == "err" and "HTTP" in r[1] else None)(action_result(d)), 10)
        assert "HTTP 401" in text or "HTTP 403" in text, text
        log(f"DGC without token refused: {text.splitlines()[0]}")
        d.find_element(By.ID, "token").send_keys(TOKEN)
        d.find_element(By.ID, "act-dgc").click()
        wait_for("confirmation dialog", lambda: "hidden" not in d.find_element(By.ID, "modal").get_attribute("class"), 5)
        assert "distributed garbage collection" in d.find_element(By.ID, "modal-text").text
        d.find_element(By.ID, "modal-ok").click()
        cls, text = wait_for("DGC accepted", lambda: (lambda r: r if r[0] == "ok" else None)(action_result(d)), 20)
        assert text.startswith("HTTP 200"), text
        log(f"DGC with token: {text.splitlines()[0]}")
        shot(d, "actions")

        # 7. kill -9 the active: B's page shows B green (ACTIVE) and A red.
        log("kill -9 s1")
        g.kill9("s1")
        d.get(f"http://127.0.0.1:{g.jmx('s2')}/")
        wait_for("s2 green on s2's page", lambda: light_of(d, "s2") == "green", 30)
        wait_for("s1 red on s2's page", lambda: light_of(d, "s1") == "red", 20)
        assert d.find_element(By.ID, "server-name").text == "s2"
        log("after failover: s2 green (ACTIVE), s1 red")
        # The data survived the failover: a client of s2 reads the map.
        assert kiln(g, "map", "get", MAP_ROOT, "beta", server="s2").strip().strip('"') == "two"
        log("PASS")
    except Exception:
        for n in ("s1", "s2"):
            sys.stderr.write(f"--- {n} log tail ---\n{g.log_of(n)}\n")
        if d is not None:
            try:
                os.makedirs(os.path.join(ROOT, "build"), exist_ok=True)
                d.save_screenshot(os.path.join(ROOT, "build", "console-failure.png"))
            except Exception:
                pass
        raise
    finally:
        for p in loops:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)
        if d is not None:
            d.quit()
        g.cleanup()


if __name__ == "__main__":
    t0 = time.monotonic()
    run()
    log(f"console browser test passed in {time.monotonic() - t0:.1f}s")
