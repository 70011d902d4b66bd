"""Run coopgraph commands in forked children and SIGKILL them at chosen moments.

Used by tests/test_reliability.py (a few kills) and bench/bench_kill.py (many). Starting
Python and importing coopgraph takes about a second, longer than a write of the fixture
store, so a kill after a random delay from ``subprocess.Popen`` would mostly land before
any write begins. Instead one server process imports coopgraph once and forks a child per
command: the child runs the CLI at once, and the caller kills it (by its pid, which the
server reports) after a delay drawn over the command's own running time. The caller
kills only a child whose end (reported after the server reaps it) it has not seen.
The server holds no store open and runs no threads, so forking it is safe.
"""

from __future__ import annotations

import json
import os
import random
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from coopgraph import store

ROOT = Path(__file__).resolve().parent.parent

_SERVER = r"""
import json, os, resource, sys, traceback
import coopgraph.build, coopgraph.importer, coopgraph.validate  # noqa: F401 - warm imports
import coopgraph.sources
from coopgraph.cli import main
# every importer module too: coopgraph imports them (and modules only they use) when a
# command needs them, and a child running as nobody cannot read a Python under /root
coopgraph.sources.importers()
for line in sys.stdin:
    job = json.loads(line)
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            out = os.open(job["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
            os.dup2(out, 1)
            os.dup2(out, 2)
            if job.get("fsize") is not None:
                resource.setrlimit(resource.RLIMIT_FSIZE, (job["fsize"], job["fsize"]))
            if job.get("uid") is not None:
                os.setgid(job["uid"])
                os.setuid(job["uid"])
            main(job["args"], prog_name="coopgraph")
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 1
        except BaseException:
            traceback.print_exc()  # what a user would see: a crash
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    print(pid, flush=True)
    _, status = os.waitpid(pid, 0)
    print(json.dumps({"pid": pid, "status": status}), flush=True)
"""


@dataclass
class Outcome:
    """How one forked command ended: ``killed`` (by us), else its exit code and output."""

    killed: bool
    exit_code: int | None
    output: str
    seconds: float


class ForkServer:
    """A Python process with coopgraph imported that forks one child per command."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SERVER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )

    def run(
        self,
        args: list[str],
        out: Path,
        *,
        kill_after: float | None = None,
        fsize: int | None = None,
        uid: int | None = None,
    ) -> Outcome:
        """Run ``coopgraph ARGS`` in a child (output to ``out``); SIGKILL it after
        ``kill_after`` seconds if it is still running."""
        assert self.process.stdin and self.process.stdout
        job = {"args": args, "out": str(out), "fsize": fsize, "uid": uid}
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        started = time.perf_counter()
        pid = int(self.process.stdout.readline())
        killed = False
        if kill_after is not None:
            ready, _, _ = select.select([self.process.stdout], [], [], kill_after)
            if not ready:  # still running, or reaped a moment ago (then nothing to kill)
                try:
                    os.kill(pid, signal.SIGKILL)
                    killed = True
                except ProcessLookupError:
                    pass
        report = json.loads(self.process.stdout.readline())
        seconds = time.perf_counter() - started
        status = report["status"]
        killed = killed and os.WIFSIGNALED(status)
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
        return Outcome(killed, code, out.read_text(errors="replace"), seconds)

    def close(self) -> None:
        """End the server (it exits when its stdin closes)."""
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=30)


def counts(root: Path) -> dict[str | None, int]:
    """Triples per named graph of the store's current generation."""
    return {c.graph: c.triples for c in store.counts(store.open_reader(root))}


@dataclass
class KillRun:
    """One killed (or finished) write and which state the store was left in."""

    command: str  # build, import or remove
    delay: float
    killed: bool
    state: str  # "before", "after" or "neither"


def kill_loop(
    server: ForkServer,
    root: Path,
    forward: list[str],
    backward: list[str],
    runs: int,
    work: Path,
    rng: random.Random,
) -> list[KillRun]:
    """Kill ``forward`` (a command taking the store from state A to B) ``runs`` times at
    random moments, and check after each kill that the store reopens in A or B.

    ``backward`` takes the store from B back to A (for an import: a remove; for a build:
    a build from the other data). Both are run once to completion first (forward, then
    backward) to learn the counts of A and B and their durations. Each
    run targets whichever state the store is not in, so kills land on real changes."""
    base = ["--store", str(root)]
    there = server.run(base + forward, work / "out-b.txt")
    assert there.exit_code == 0, there.output
    state_b = counts(root)
    back = server.run(base + backward, work / "out-a.txt")
    assert back.exit_code == 0, back.output
    state_a = counts(root)
    assert state_a != state_b, "the two states must differ for the test to mean anything"
    limit = {"A": max(back.seconds, 0.05), "B": max(there.seconds, 0.05)}
    current = "A"
    results = []
    for _ in range(runs):
        target = "A" if current == "B" else "B"
        command = backward if target == "A" else forward
        delay = rng.uniform(0, limit[target] * 1.1)
        outcome = server.run(base + command, work / "out.txt", kill_after=delay)
        found = counts(root)
        before, after = (state_b, state_a) if target == "A" else (state_a, state_b)
        if found == after:
            state, current = "after", target
        elif found == before:
            state = "before"
        else:
            state = "neither"
        if not outcome.killed:
            assert outcome.exit_code == 0, outcome.output
        results.append(KillRun(command[0], delay, outcome.killed, state))
    return results
