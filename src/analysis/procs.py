"""Child processes that never outlive their parent, and a folder lock that
says who holds it.

The build's worker processes and the report renderer's are started with
:func:`worker_start` as (part of) their initializer: on Linux the kernel
kills them when their parent dies (``PR_SET_PDEATHSIG``), so a build or
report killed with ``kill -9`` leaves no process behind, and they close the
parent's lock descriptors, so a worker never holds the parent's lock.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

_HELD: list[int] = []  # descriptors of the locks this process holds (closed in its workers)

LOCK_FILE = ".lock"


def die_with_parent(parent_pid: int | None = None) -> None:
    """Ask the system to kill this process when its parent dies (Linux; a
    no-op elsewhere), and exit now if the parent is already gone."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)  # the parent died before the request took effect


# The collector's thresholds while the build works. Tokenising and tagging make
# millions of small tuples and lists that live as long as their essay; with the
# default first threshold (700 allocations) the collector runs so often that it
# took close to half the time of the entity stage on a long essay. A higher one
# only lets cyclic garbage wait a little longer: the text pipeline makes
# almost none.
BUILD_GC_THRESHOLD = (50_000, 10, 10)


@contextlib.contextmanager
def bulk_allocation() -> Iterator[None]:
    """Within the block (and in processes forked in it) the garbage collector
    runs at :data:`BUILD_GC_THRESHOLD`; the thresholds before are restored after."""
    before = gc.get_threshold()
    gc.set_threshold(*BUILD_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def worker_start(parent_pid: int, then: Callable | None = None, *args) -> None:
    """Initializer of a worker process: dies with ``parent_pid``, closes the
    parent's lock descriptors (inherited with ``fork``), collects garbage at
    :data:`BUILD_GC_THRESHOLD`, then runs ``then(*args)``."""
    die_with_parent(parent_pid)
    gc.set_threshold(*BUILD_GC_THRESHOLD)
    for fd in _HELD:
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()
    if then is not None:
        then(*args)


def _holder(fd: int) -> str:
    with contextlib.suppress(OSError, ValueError):
        text = os.pread(fd, 32, 0).decode("ascii").strip()
        if text.isdigit():
            return text
    return "?"


@contextlib.contextmanager
def folder_lock(
    folder: Path,
    *,
    timeout: float,
    warn: Callable[[str], None],
    error: type[Exception] = TimeoutError,
    poll: float = 0.2,
    who: str = "build",
    option: str = "--out",
    longer: str = "give a longer --lock-timeout",
) -> Iterator[None]:
    """Hold the exclusive lock of ``folder`` (the file ``folder/.lock``, which
    records the holder's pid). A second holder waits, saying once who holds
    it (``who``: build, report), and raises ``error`` after ``timeout``
    seconds, naming ``option`` and what to do (``longer``). The lock
    is ``flock``'s: the system releases it when its holder dies, so a killed
    build never leaves the folder locked. Where ``fcntl`` is missing
    (Windows) nothing is locked."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        deadline = None
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline is None:
                    deadline = time.monotonic() + timeout
                    warn(
                        f"another {who} (pid {_holder(fd)}) is writing to {folder}; waiting for it "
                        f"(at most {timeout:g} s{', --lock-timeout' if 'lock-timeout' in longer else ''})"
                    )
                elif time.monotonic() >= deadline:
                    raise error(
                        f"{option} {folder}: another {who} (pid {_holder(fd)}) has been writing to it for "
                        f"more than {timeout:g} s; wait for it, stop it, or {longer}"
                    ) from None
                time.sleep(poll)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        _HELD.append(fd)
        yield
    finally:
        if fd in _HELD:
            _HELD.remove(fd)
        os.close(fd)  # releases the lock


# ------------------------------------------------------- cores within a task
# How many processes a single task may use for work inside one essay (the
# sentences of a huge essay): 1 unless a build that has cores to spare says
# otherwise (:func:`sharing_cores`). Forked workers inherit the value.
_INNER_JOBS = 1


def inner_jobs() -> int:
    """Processes one task may use for work inside an essay (see :func:`sharing_cores`)."""
    return _INNER_JOBS


@contextlib.contextmanager
def sharing_cores(jobs: int) -> Iterator[None]:
    """Within the block (and in processes forked in it) a task may spread
    work inside one essay over ``jobs`` processes: a build of fewer essays
    than cores (one essay of a million characters) would leave cores idle."""
    global _INNER_JOBS
    before, _INNER_JOBS = _INNER_JOBS, max(1, int(jobs))
    try:
        yield
    finally:
        _INNER_JOBS = before


_FORK_ARGS: tuple = ()


def _call_forked(fn: Callable, i: int):
    return fn(*_FORK_ARGS, i)


def fork_map(fn: Callable, args: tuple, n: int, jobs: int) -> list:
    """``[fn(*args, i) for i in range(n)]`` on ``jobs`` forked processes that
    inherit ``args`` (nothing large is pickled on the way in; results are),
    die with this process and never hold its locks. In this process when
    ``jobs`` < 2, ``n`` < 2 or the system cannot fork."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    global _FORK_ARGS
    if jobs < 2 or n < 2 or "fork" not in mp.get_all_start_methods():
        return [fn(*args, i) for i in range(n)]
    _FORK_ARGS = args
    try:
        with ProcessPoolExecutor(
            max_workers=min(jobs, n),
            mp_context=mp.get_context("fork"),
            initializer=worker_start,
            initargs=(os.getpid(),),
        ) as pool:
            return list(pool.map(_call_forked, [fn] * n, range(n)))
    finally:
        _FORK_ARGS = ()


def run_of(items: list, n: int, i: int, size: Callable = len) -> list:
    """The ``i``-th of ``n`` consecutive runs of ``items``, as even in total
    ``size`` as whole items allow (the work :func:`fork_map` hands each process)."""
    if n <= 1:
        return items
    total, bounds, acc = sum(map(size, items)), [0], 0
    for k, item in enumerate(items):
        acc += size(item)
        if len(bounds) < n and acc >= total * len(bounds) / n:
            bounds.append(k + 1)
    bounds += [len(items)] * (n + 1 - len(bounds))
    return items[bounds[i] : bounds[i + 1]]
