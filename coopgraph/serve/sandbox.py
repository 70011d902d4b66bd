"""What a query worker may not do, enforced by the operating system.

The gateway refuses SERVICE on the parsed query (``coopgraph.serve.screen``); this module
is the second, independent layer: a worker process that cannot open a network connection
at all, so a query that got past the screen (a parser disagreement nobody has found yet)
still reaches nothing. Two mechanisms, each applied where the platform allows:

1. **A network namespace of its own** (Linux ``unshare(CLONE_NEWNET)``; as an unprivileged
   user inside a user namespace of its own that maps the user to itself). The worker sees
   one loopback interface, down, and no route: not the host's loopback, not the LAN.
2. **A seccomp filter** (Linux, any user: ``PR_SET_NO_NEW_PRIVS`` first) that fails
   ``socket()`` and ``io_uring_setup()`` with EACCES, and every system call made through a
   foreign ABI (x32, 32-bit compat). A worker needs no socket it did not inherit: its pipe
   to the gateway was made before. Applied before the store is opened, so every thread
   RocksDB starts later inherits it.

Each layer is applied before any other thread exists (the worker is a fresh fork of the
forkserver) and cannot be undone by the process. On macOS and other systems neither is
available: ``confine`` reports that, and the parser's refusal is the only guard there
(docs/reliability.md).

``limit_memory`` caps the worker's data segment (``RLIMIT_DATA``: heap and private anonymous
mappings, which is where a query's intermediate results live; ``RLIMIT_AS`` where the kernel
has no ``RLIMIT_DATA``), so one query cannot take the machine's memory: past the cap an
allocation fails, Oxigraph aborts the worker, and the gateway answers 507 and starts another.
``RLIMIT_DATA`` rather than ``RLIMIT_AS`` because a worker at rest already maps ~530 MB of
address space (shared libraries, memory-mapped store files, thread stacks) but holds ~110 MB
of data; capping the address space would count those maps against the query.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import platform
import struct
import sys

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000

# classic BPF opcodes
_LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_RET_K = 0x06  # BPF_RET | BPF_K

#: (audit arch, socket, io_uring_setup, lowest system call number of a foreign ABI) per machine.
_SYSCALLS = {
    "x86_64": (0xC000003E, 41, 425, 0x40000000),  # x32 numbers have bit 30 set
    "aarch64": (0xC00000B7, 198, 425, None),
}


def _libc():
    return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


def _write(path: str, text: str) -> None:
    with open(path, "w") as file:
        file.write(text)


def _unshare_network(libc) -> str | None:
    """Enter a new, empty network namespace; how, or None when the system refuses."""
    if libc.unshare(CLONE_NEWNET) == 0:
        return "network namespace"
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
        return None
    try:  # map the user to itself, so the store's files are read as before
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")
    except OSError:
        pass
    return "network namespace (user namespace)"


def seccomp_program(machine: str) -> bytes | None:
    """The classic BPF filter that fails socket() and io_uring_setup() with EACCES.

    None on a machine whose system call numbers are not listed here.

    >>> len(seccomp_program("x86_64")) // 8  # instructions of 8 bytes each
    10
    """
    if machine not in _SYSCALLS:
        return None
    arch, socket_nr, uring_nr, foreign = _SYSCALLS[machine]
    deny = SECCOMP_RET_ERRNO | errno.EACCES

    def op(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
        return struct.pack("=HBBI", code, jt, jf, k)

    # offsets in struct seccomp_data: nr 0, arch 4
    program = [
        op(_LD_W_ABS, 4),
        op(_JEQ_K, arch, 1, 0),  # our own ABI: go on
        op(_RET_K, deny),  # a foreign ABI: refuse every call
        op(_LD_W_ABS, 0),
        op(_JGE_K, foreign if foreign is not None else 0xFFFFFFFF, 0, 1),
        op(_RET_K, deny),  # x32 system calls
        op(_JEQ_K, socket_nr, 2, 0),
        op(_JEQ_K, uring_nr, 1, 0),
        op(_RET_K, SECCOMP_RET_ALLOW),
        op(_RET_K, deny),
    ]
    return b"".join(program)


def _seccomp(libc) -> str | None:
    program = seccomp_program(platform.machine())
    if program is None:
        return None
    buffer = ctypes.create_string_buffer(program, len(program))

    class FProg(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = FProg(len(program) // 8, ctypes.addressof(buffer))
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return None
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        return None
    return "seccomp (no new sockets)"


def confine() -> list[str]:
    """Cut this process off the network for good; the layers that hold, as words.

    Call it in a single-threaded process (a fresh worker), before it opens anything. An
    empty list means no layer is available on this system (macOS, a kernel without
    seccomp): the caller reports it.
    """
    if not sys.platform.startswith("linux"):
        return []
    libc = _libc()
    layers = [_unshare_network(libc), _seccomp(libc)]
    return [layer for layer in layers if layer]


def limit_memory(max_bytes: int | None) -> None:
    """Cap this process's data segment at ``max_bytes`` (``RLIMIT_DATA``); None or 0: no cap."""
    if not max_bytes:
        return
    import resource

    which = getattr(resource, "RLIMIT_DATA", resource.RLIMIT_AS)
    _soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        max_bytes = min(max_bytes, hard)
    resource.setrlimit(which, (max_bytes, hard))


def report(layers: list[str]) -> str:
    """One line for the server's log: what keeps the query workers off the network."""
    if layers:
        return f"query workers have no network: {', '.join(layers)}"
    return (
        "query workers CAN reach the network on this system (no network namespace or "
        "seccomp here): SERVICE is refused by the query screen only"
    )
