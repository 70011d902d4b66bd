"""The endpoint's defences, each tried the way an attacker would (issue 18).

- the operating-system layer: a confined process cannot open a connection, even through
  Oxigraph's SERVICE; the live workers carry the seccomp filter, a network namespace of
  their own and the memory cap;
- the memory cap: a query that doubles a string until it fills the memory gets 507, the
  worker is replaced and the next query is answered;
- the Host allow-list (DNS rebinding): a foreign Host gets 400;
- the query page under its Content-Security-Policy, in Chromium, and hostile values in
  the page and the service description;
- connections that cannot be held for free: a slow or dripping request head, an idle
  keep-alive connection, a slow body (408) and too many connections (503).

docs/reliability.md has the threat model and the table of attacks these tests replay.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import httpx
import pytest

from coopgraph import api
from coopgraph.serve import app as serve_app
from tests.conftest import FIXTURE_DATA
from tests.test_serve import Server, _children

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

LINUX = sys.platform.startswith("linux")
MiB = 2**20
MAX_MEMORY = 384 * MiB
TIMEOUT = 1.0  # header, keep-alive and body deadlines of the guarded server


def doubling(times: int = 26) -> str:
    """A query whose string doubles ``times`` times: 16 bytes * 2**26 = 1 GiB."""
    binds = " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(times))
    return f'SELECT (STRLEN(?s{times}) AS ?n) WHERE {{ BIND("0123456789abcdef" AS ?s0) {binds} }}'


class Listener:
    """A TCP listener on the loopback that counts the connections it accepts."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.running = False
        self.thread.join(2)
        self.sock.close()


def _layers_here() -> list[str]:
    """The sandbox layers this system grants, from a throwaway process."""
    code = "import json\nfrom coopgraph.serve import sandbox\nprint(json.dumps(sandbox.confine()))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(out.stdout)


def _workers(gateway_pid: int) -> list[int]:
    """The query workers: the children of the gateway's forkserver."""
    found = []
    for pid in _children(gateway_pid):
        try:
            parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
            parent_cmd = Path(f"/proc/{parent}/cmdline").read_text()
        except (OSError, ValueError):
            continue
        if "forkserver" in parent_cmd and parent != gateway_pid:
            found.append(pid)
    return sorted(found)


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    """Two workers with a 384 MiB cap, 1 s deadlines on heads, idle connections and
    bodies, an extra allowed Host name, and room for 8 connections."""
    root = tmp_path_factory.mktemp("serve-guarded")
    api.build(root, data=FIXTURE_DATA)
    server = Server(
        root,
        workers=2,
        max_memory=MAX_MEMORY,
        allow_hosts=["coopgraph.example"],
        header_timeout=TIMEOUT,
        keep_alive=TIMEOUT,
        body_timeout=TIMEOUT,
        max_connections=8,
    )
    yield server
    server.stop()


# --- the operating-system layer ----------------------------------------------------------


@pytest.mark.skipif(not LINUX, reason="the sandbox layers are Linux's (docs/reliability.md)")
def test_confined_process_reaches_nothing():
    """After confine(), neither a socket of Python's own nor Oxigraph's SERVICE connects."""
    listener = Listener()
    code = textwrap.dedent(
        f"""
        import json, socket
        import pyoxigraph as ox
        from coopgraph.serve import sandbox
        layers = sandbox.confine()
        outcome = {{"layers": layers}}
        try:
            socket.create_connection(("127.0.0.1", {listener.port}), timeout=2).close()
            outcome["socket"] = "connected"
        except OSError as failure:
            outcome["socket"] = type(failure).__name__
        try:
            list(ox.Store().query(
                "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> "
                "{{ ?s ?p ?o }} }}"))
            outcome["service"] = "answered"
        except Exception as failure:
            outcome["service"] = str(failure)[:200]
        print(json.dumps(outcome))
        """
    )
    try:
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
        )
        assert out.returncode == 0, out.stderr
        outcome = json.loads(out.stdout)
        time.sleep(0.3)  # let the listener's thread see a late connection, were there one
    finally:
        listener.close()
    assert outcome["layers"], "no sandbox layer on this Linux system"
    assert outcome["socket"] != "connected"
    assert outcome["service"] != "answered"
    assert listener.connections == 0


@pytest.mark.skipif(not LINUX, reason="/proc and the sandbox layers are Linux's")
def test_live_workers_are_confined_and_capped(guarded):
    layers = _layers_here()
    pids = _workers(guarded.process.pid)
    assert len(pids) == 2, pids
    own_net = os.readlink("/proc/self/ns/net")
    for pid in pids:
        status = Path(f"/proc/{pid}/status").read_text()
        limits = Path(f"/proc/{pid}/limits").read_text()
        if any(layer.startswith("seccomp") for layer in layers):
            assert "Seccomp:\t2" in status, f"worker {pid} runs without its seccomp filter"
        if any(layer.startswith("network namespace") for layer in layers):
            assert os.readlink(f"/proc/{pid}/ns/net") != own_net
        data = next(line for line in limits.splitlines() if line.startswith("Max data size"))
        assert data.split()[3] == str(MAX_MEMORY), data


# --- the memory cap ---------------------------------------------------------------------


@pytest.mark.skipif(not LINUX, reason="RLIMIT_DATA is enforced on Linux")
def test_memory_hungry_query_gets_507_and_the_worker_is_replaced(guarded):
    before = _workers(guarded.process.pid)
    response = guarded.get(doubling())
    assert response.status_code == 507, response.text
    assert "more memory" in response.text
    assert guarded.get(doubling()).status_code == 507  # refused, not remembered as success
    # the endpoint goes on answering, and every worker is a live one again
    for _ in range(4):
        answer = guarded.get("SELECT (COUNT(*) AS ?n) WHERE { ?s a cg:Alliance }")
        assert answer.status_code == 200, answer.text
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        after = _workers(guarded.process.pid)
        if len(after) == 2 and after != before:
            break
        time.sleep(0.2)
    assert len(after) == 2 and after != before, (before, after)


def test_small_doubling_is_answered(guarded):
    """The cap refuses the query that needs too much, not string functions as such."""
    response = guarded.get(doubling(10))
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"][0]["n"]["value"] == str(16 * 2**10)


# --- the Host allow-list ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("127.0.0.1:{port}", 200),
        ("localhost:{port}", 200),
        ("localhost", 200),
        ("coopgraph.example", 200),
        ("coopgraph.example:{port}", 200),
        ("attacker.example:{port}", 400),
        ("attacker.example", 400),
        ("localhost.attacker.example", 400),
        ("10.0.0.7:{port}", 400),  # bound to the loopback: other addresses are not ours
    ],
)
def test_host_allow_list(guarded, host, status):
    response = httpx.get(
        guarded.url + "/sparql",
        params={"query": "ASK {}"},
        headers={"Host": host.format(port=guarded.port)},
        timeout=30,
    )
    assert response.status_code == status, response.text
    if status == 400:
        assert "Host" in response.text and "--allow-host" in response.text


def test_host_check_on_every_path(guarded):
    for path in ("/", "/sparql", "/static/page.js", "/nowhere"):
        response = httpx.get(guarded.url + path, headers={"Host": "attacker.example"}, timeout=30)
        assert response.status_code == 400, path


@pytest.mark.parametrize(
    ("bound", "allow", "host", "allowed"),
    [
        ("0.0.0.0", (), "192.168.1.20:7878", True),
        ("0.0.0.0", (), "[2001:db8::1]:7878", True),
        ("0.0.0.0", (), "attacker.example", False),
        ("::", (), "[::1]:7878", True),
        ("::1", (), "localhost:7878", True),
        ("::1", (), "[::1]:7878", True),
        ("192.168.1.20", (), "192.168.1.20", True),
        ("192.168.1.20", (), "localhost", False),
        ("127.0.0.1", ("*",), "anything.example", True),
        ("127.0.0.1", ("Coopgraph.Example",), "coopgraph.example.", True),
        ("127.0.0.1", (), None, True),  # HTTP/1.0 without Host: nothing to rebind
    ],
)
def test_host_check_rules(bound, allow, host, allowed):
    assert serve_app.HostCheck(bound, allow).allows(host) is allowed


# --- the page: security headers, hostile values, and the page working under its CSP ---------


def test_security_headers(guarded):
    home = httpx.get(guarded.url + "/", timeout=30)
    page = httpx.get(guarded.url + "/sparql", headers={"Accept": "text/html"}, timeout=30)
    for response in (home, page):
        assert response.status_code == 200
        csp = response.headers["content-security-policy"]
        assert (
            "script-src 'self'" in csp
            and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        )
        assert "frame-ancestors 'none'" in csp
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "<script>" not in response.text  # no inline script for the CSP to allow
    result = guarded.get("ASK {}")
    assert result.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in result.headers  # only pages carry a CSP


HOSTILE = 'http://h/"></code><script>alert(1)</script><!--\u2028 . <x> <y> "z'


def test_page_escapes_a_hostile_endpoint():
    text = serve_app.page(HOSTILE, 30, 100)
    assert "<script>alert(1)" not in text
    assert "<!--" not in text
    assert "\u2028" not in text.split('<script id="endpoint"')[1]
    inline = text.split('<script id="endpoint" type="application/json">')[1].split("</script>")[0]
    assert json.loads(inline) == HOSTILE  # the page's script reads back what was given


def test_service_description_escapes_a_hostile_endpoint():
    rdflib = pytest.importorskip("rdflib")
    graph = rdflib.Graph().parse(data=serve_app.service_description(HOSTILE), format="turtle")
    plain = rdflib.Graph().parse(data=serve_app.service_description("http://h/"), format="turtle")
    sd = rdflib.Namespace(serve_app.SD)
    endpoints = list(graph.objects(None, sd.endpoint))
    assert len(endpoints) == 1
    assert len(graph) == len(plain)  # no triple smuggled in through the endpoint's text
    assert str(endpoints[0]).startswith("http://h/%22%3E%3C/code%3E%3Cscript%3E")


CHROMIUM = "/usr/bin/chromium"


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Chromium not found at {CHROMIUM}")
def test_query_page_runs_under_its_csp(guarded, tmp_path):
    """In Chromium: no CSP violation, an example loads into the editor and runs."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright not installed")
    violations, errors = [], []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.on(
                "console",
                lambda m: (
                    violations.append(m.text) if "Content Security Policy" in m.text else None
                ),
            )
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(guarded.url + "/", wait_until="networkidle")
            page.wait_for_selector(".CodeMirror", timeout=20_000)
            page.click(".examples button >> nth=0")
            text = page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")
            assert "SELECT" in text.upper()
            page.click(".yasqe_queryButton")
            page.wait_for_selector(".yasr_results table, .yasr .dataTable", timeout=20_000)
            page.screenshot(path=str(tmp_path / "page.png"), full_page=False)
        finally:
            browser.close()
    assert not violations, violations
    assert not errors, errors


# --- connections that cannot be held for free ----------------------------------------------


def _closed_within(sock: socket.socket, seconds: float) -> bool:
    """True when the server closes ``sock`` within ``seconds`` (reading what it sends)."""
    sock.settimeout(0.2)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            if sock.recv(65536) == b"":
                return True
        except TimeoutError:
            continue
        except OSError:
            return True
    return False


def test_silent_connection_is_closed(guarded):
    with socket.create_connection(("127.0.0.1", guarded.port)) as sock:
        assert _closed_within(sock, TIMEOUT + 4)


def test_dripping_request_head_is_closed(guarded):
    """Slowloris: a byte of the head at a time, each in time, the whole never."""
    head = f"GET /sparql?query=ASK%20%7B%7D HTTP/1.1\r\nHost: 127.0.0.1:{guarded.port}\r\n"
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", guarded.port)) as sock:
        closed = False
        for byte in (head * 20).encode():
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                closed = True
                break
            time.sleep(TIMEOUT / 5)
            if time.monotonic() - started > TIMEOUT + 4:
                break
        closed = closed or _closed_within(sock, 1)
    assert closed
    assert time.monotonic() - started < TIMEOUT + 5


def test_idle_keep_alive_connection_is_closed(guarded):
    request = (
        f"GET /sparql?query=ASK%20%7B%7D HTTP/1.1\r\nHost: 127.0.0.1:{guarded.port}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", guarded.port)) as sock:
        sock.sendall(request)
        sock.settimeout(10)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        assert _closed_within(sock, TIMEOUT + 4)


def test_slow_body_gets_408(guarded):
    head = (
        f"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1:{guarded.port}\r\n"
        "Content-Type: application/sparql-query\r\nContent-Length: 200\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", guarded.port)) as sock:
        sock.sendall(head.encode() + b"ASK {")
        sock.settimeout(TIMEOUT + 10)
        reply = b""
        while b"took longer" not in reply and (chunk := sock.recv(65536)):
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 408"), reply[:200]
    assert b"took longer than" in reply


def test_too_many_connections_get_503(guarded):
    held = []
    try:
        for _ in range(12):
            held.append(socket.create_connection(("127.0.0.1", guarded.port)))
        statuses = set()
        for _ in range(3):
            with contextlib.suppress(httpx.TransportError):
                statuses.add(guarded.get("ASK {}").status_code)
        assert 503 in statuses, statuses
    finally:
        for sock in held:
            sock.close()
    time.sleep(TIMEOUT)
    assert guarded.get("ASK {}").status_code == 200  # and served again once they are gone
