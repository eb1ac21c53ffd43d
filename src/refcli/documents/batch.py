"""Reading many documents at once, each in a worker process with a budget.

A worker reads one document and parses its references; the machine's cores work side
by side, and each worker runs under resource limits (CPU seconds and address space), so
a PDF bomb — a page tree that names one page thousands of times, a fan-out of forms, a
stream that inflates to gigabytes — costs a few seconds and a bounded amount of memory,
ends in one line naming the file, and the other documents are still read.

Workers are forked from the calling process after the reference parser's model is
loaded, so none loads it again. Where ``fork`` is not available the documents are read
one after the other in this process, without the limits.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from refcli.errors import InputError, RefcliError

# exit codes of a worker killed by its own limits
_SIGXCPU = 24
_SIGABRT = 6


@dataclass(frozen=True)
class Budget:
    """What one document may cost: CPU seconds, wall seconds, and memory beyond what the
    worker shares with its parent when it starts."""

    cpu_seconds: int = 10
    wall_seconds: float = 30.0
    memory_mb: int = 160


@dataclass
class Outcome:
    """One path's result: a document whose references are parsed, or the error."""

    path: str
    document: Any = None
    error: RefcliError | None = None


def read_documents(paths: Sequence[str], *, jobs: int | None = None, budget: Budget = Budget(),
                   on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Read and parse every document of *paths*, in their order; never raises for one file."""
    if not paths:
        return []
    _load_parser()
    if not _can_fork():
        return [_report(_read_here(path), on_done) for path in paths]
    jobs = max(1, min(jobs or _cores(), len(paths)))
    return _run_workers(list(paths), jobs, budget, on_done)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _can_fork() -> bool:
    # fork is safe only where the C libraries expect it (macOS's do not)
    return sys.platform.startswith("linux")


def _load_parser() -> None:
    from refcli import refparse

    refparse.parse_batch(["Smith, J. (2001). A title. Journal, 1, 2-3."])


def _report(outcome: Outcome, on_done: Callable[[Outcome], None] | None) -> Outcome:
    if on_done is not None:
        on_done(outcome)
    return outcome


def _read_here(path: str) -> Outcome:
    from refcli import documents, importer

    try:
        doc = documents.read_document(path)
        doc.reference_items = list(importer.parse_references(doc))
        return Outcome(path, doc)
    except RefcliError as exc:
        return Outcome(path, error=exc)


# ------------------------------------------------------------------ workers


def _address_space() -> int:
    """This process's virtual size in bytes (what RLIMIT_AS counts)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _worker(path: str, budget: Budget, conn: Any) -> None:
    import resource

    size = _address_space()
    if size:
        limit = size + budget.memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (budget.cpu_seconds, budget.cpu_seconds + 2))
    try:
        outcome = _read_here(path)
        message: tuple[Any, ...] = ("ok", outcome.document) if outcome.error is None else \
            ("error", type(outcome.error).__name__, outcome.error.message, outcome.error.where)
    except MemoryError:
        message = ("memory",)
    except Exception as exc:  # noqa: BLE001 - any failure of one document is its own line
        message = ("error", "InputError", f"cannot read this document ({type(exc).__name__}: {exc})"[:200], path)
    try:
        conn.send(message)
    except MemoryError:
        conn.send(("memory",))
    conn.close()


def _error_from(message: tuple[Any, ...], path: str) -> RefcliError:
    from refcli import errors

    kind = getattr(errors, message[1], None)
    cls = kind if isinstance(kind, type) and issubclass(kind, RefcliError) else InputError
    return cls(message[2], where=message[3] or path)


def _run_workers(paths: list[str], jobs: int, budget: Budget,
                 on_done: Callable[[Outcome], None] | None) -> list[Outcome]:
    import multiprocessing
    from multiprocessing.connection import Connection, wait

    ctx = multiprocessing.get_context("fork")
    results: list[Outcome | None] = [None] * len(paths)
    waiting = list(enumerate(paths))
    running: dict[Connection, tuple[int, Any, float]] = {}  # parent end -> (index, process, deadline)

    def finish(index: int, outcome: Outcome) -> None:
        results[index] = outcome
        if on_done is not None:
            on_done(outcome)

    while waiting or running:
        while waiting and len(running) < jobs:
            index, path = waiting.pop(0)
            parent, child = ctx.Pipe(duplex=False)
            process = ctx.Process(target=_worker, args=(path, budget, child), daemon=True)
            process.start()
            child.close()
            running[parent] = (index, process, time.monotonic() + budget.wall_seconds)
        timeout = max(0.0, min(deadline for _, _, deadline in running.values()) - time.monotonic())
        for ready in wait(list(running), timeout=timeout):
            conn = cast(Connection, ready)
            index, process, _ = running.pop(conn)
            message: Any
            try:
                message = conn.recv()
            except (EOFError, OSError):
                message = None
            except MemoryError:
                message = ("memory",)
            conn.close()
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join()
            finish(index, _outcome(paths[index], message, process.exitcode, budget))
        now = time.monotonic()
        for conn, (index, process, deadline) in list(running.items()):
            if now >= deadline:
                process.kill()
                process.join()
                conn.close()
                del running[conn]
                finish(index, Outcome(paths[index], error=InputError(
                    f"gave up after {budget.wall_seconds:g} s (a PDF bomb, or a document too large "
                    "to import); the other files go on", where=paths[index])))
    return [r if r is not None else Outcome(p, error=InputError("not read", where=p))
            for r, p in zip(results, paths, strict=True)]


def _outcome(path: str, message: tuple[Any, ...] | None, exitcode: int | None, budget: Budget) -> Outcome:
    if message and message[0] == "ok":
        return Outcome(path, message[1])
    if message and message[0] == "error":
        return Outcome(path, error=_error_from(message, path))
    if message and message[0] == "memory":
        reason = f"needs more than {budget.memory_mb} MB of memory (a decompression bomb?)"
    elif exitcode == -_SIGXCPU:
        reason = f"gave up after {budget.cpu_seconds} s of work (a PDF bomb, or a document too large to import)"
    elif exitcode == -_SIGABRT:  # PDFium aborts when an allocation fails
        reason = f"needs more than its {budget.memory_mb} MB of memory (a decompression bomb?)"
    elif exitcode is not None and exitcode < 0:
        reason = f"the reader stopped on signal {-exitcode} (a damaged file?)"
    else:
        reason = f"the reader stopped without a result (exit {exitcode}; out of memory, or a damaged file)"
    return Outcome(path, error=InputError(f"{reason}; the other files go on", where=path))
