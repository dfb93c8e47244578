"""Taking turns on the store file between processes, first come first served, and
saying who holds it.

DuckDB lets one process at a time open the file. The app opens one connection per use,
so another process (`python -m sop load` while the app serves, a second server) gets in
between uses. Retrying DuckDB's own lock alone is a lottery: a stream of short uses in
the app can starve the other process, and among 20 writers some lose many draws in a
row. So every use goes through two things beside the store:

- `<store>.lock`, the store itself: `flock`ed by one process while any of its threads
  has a connection open; the holder writes its pid in it, so a waiter can say whom it
  waits for.
- `<store>.queue/`, the line: a process that wants the store and does not hold it puts
  a ticket there (a file named by the time it came, `flock`ed while its owner lives) and
  goes when no live ticket is ahead of it. While another process's ticket is there, the
  holding process admits no new use: its uses in progress finish and the next in line
  comes in. (A thread of the holding process stands back at most `DEFER_S`, so a thread
  waiting on another thread of its own process never deadlocks.)

Threads of one process share the hold (DuckDB shares one instance between them; the
write lock in `connection` orders their writes); a use nested in a use of the same thread
never queues. The kernel drops the `flock`s of a process that dies, and its ticket is
then removed by whoever finds it. A waiter waits up to `SOP_LOCK_WAIT_S` seconds
(default 10 minutes); after `NOTICE_AFTER_S` it says on stderr whom it waits for, and
past the limit it gives up with a message naming the holder and what to do about it.
Without `fcntl` (Windows) only DuckDB's own lock is retried, with the same messages.
"""

from __future__ import annotations

import math
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

WAIT_ENV = "SOP_LOCK_WAIT_S"
LOCK_WAIT_S = 600.0
NOTICE_AFTER_S = 1.0
DEFER_S = 1.0
_DUCKDB_PID = re.compile(r"\(PID (\d+)\)")


class LockError(RuntimeError):
    """The store stayed held past the wait limit (or the limit is not a number)."""


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# What a waiter says after NOTICE_AFTER_S: the command line's stderr; in the app, the
# server's log (the session itself only sees a StoreError if the limit passes).
notify: Callable[[str], None] = _stderr


def wait_limit() -> float:
    """Seconds a use waits for the store: `SOP_LOCK_WAIT_S`, else `LOCK_WAIT_S`."""
    raw = os.environ.get(WAIT_ENV, "").strip()
    if not raw:
        return LOCK_WAIT_S
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise LockError(
            f"{WAIT_ENV}={raw!r} is not a number of seconds; set it to how long a command "
            f"or the app may wait for the store (e.g. 600), or unset it."
        )
    return value


def command_of(pid: int) -> str:
    """The command line of process `pid` ('' when it cannot be read)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    cmd = " ".join(raw.decode(errors="replace").replace("\0", " ").split())
    return cmd if len(cmd) <= 200 else cmd[:197] + "..."


def describe(pid: int | None) -> str:
    """'process 1234 (<its command line>)', or 'another process' when unknown."""
    if pid is None:
        return "another process"
    cmd = command_of(pid)
    return f"process {pid} ({cmd})" if cmd else f"process {pid}"


def _advice(pid: int | None) -> str:
    cmd = command_of(pid) if pid is not None else ""
    if "streamlit" in cmd:
        return (
            "That is the S&OP Studio app, busy with a long task or stuck: try again later, "
            "or restart the app if it stays stuck."
        )
    if re.search(r"(^|\s)-m sop(\s|$)", cmd) or "sop/cli" in cmd:
        return "That is an S&OP Studio command: let it finish (or stop it if it hangs)."
    if pid is None:
        return "Find the program that has the file open, let it finish, and try again."
    return "Let that program finish or close it, then try again."


def busy_message(path: Path, pid: int | None, waited: float, limit: float, ahead: int) -> str:
    """The StoreError text when the wait limit passes: who holds the store and what to do."""
    line = f", with {ahead} more ahead in line" if ahead else ""
    return (
        f"The store {path} is in use by {describe(pid)}{line}; this waited {waited:.0f} s "
        f"for it, the most it may ({WAIT_ENV}={limit:g}; raise it to wait longer). "
        f"{_advice(pid)}"
    )


def pid_in_duckdb_error(text: str) -> int | None:
    """The holder's pid named in DuckDB's "Conflicting lock is held ... (PID 1234)"."""
    m = _DUCKDB_PID.search(text)
    return int(m.group(1)) if m else None


class Wait:
    """One use's wait for the store: tells whom it waits for once, gives up at the limit."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.limit = wait_limit()
        self.start = time.monotonic()
        self.told = False
        self._naps = 0

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.start

    @property
    def due(self) -> bool:
        """Whether the next `again` tells or gives up (so the caller counts who is ahead)."""
        waited = self.elapsed
        return (not self.told and waited >= NOTICE_AFTER_S) or waited > self.limit

    def again(self, pid: int | None, ahead: int = 0, nap_s: float = 0.02) -> None:
        """An attempt found the store held by `pid` (`ahead` others in line before this
        one): say so (once, after NOTICE_AFTER_S), raise LockError past the limit, else
        nap (growing up to `nap_s`) before the next attempt."""
        waited = self.elapsed
        if pid == os.getpid():
            pid = None  # this process is standing back for another one in line
        if waited > self.limit:
            raise LockError(busy_message(self.path, pid, waited, self.limit, ahead))
        if self.due:
            self.told = True
            line = f" ({ahead} ahead in line)" if ahead else ""
            notify(f"The store {self.path} is in use by {describe(pid)}: waiting for it{line}...")
        time.sleep(min(nap_s, 0.001 * 2 ** min(self._naps, 6)))
        self._naps += 1

    def done(self) -> None:
        if self.told:
            notify(f"The store {self.path} is free after {self.elapsed:.1f} s; going on.")


class _Hold:
    """This process's hold on one store: how many uses are open, the locked file."""

    def __init__(self) -> None:
        self.mutex = threading.Lock()
        self.count = 0
        self.fd: int | None = None


_HOLDS: dict[str, _Hold] = {}
_HOLDS_MUTEX = threading.Lock()
_LOCAL = threading.local()


def _forget_after_fork() -> None:  # a forked child holds nothing (its fds are copies)
    global _HOLDS_MUTEX, _LOCAL
    _HOLDS.clear()
    _HOLDS_MUTEX = threading.Lock()
    _LOCAL = threading.local()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def queue_path(path: Path) -> Path:
    return path.with_name(path.name + ".queue")


def holder(path: Path) -> int | None:
    """The pid written by the process holding (or last holding) the store."""
    try:
        text = lock_path(path).read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _release(fd: int) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_UN)  # explicit: a forked child may share the file
    finally:
        os.close(fd)


class _Ticket:
    """This use's place in the line: `<ns since epoch>-<pid>-<thread>.ticket`, locked
    (under a hidden name first, so that nobody takes a new ticket for a dead one)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(exist_ok=True)
        stamp = f"{time.time_ns():020d}-{os.getpid()}-{threading.get_ident()}"
        hidden = folder / f".{stamp}"
        self.fd = os.open(hidden, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        self.name = f"{stamp}.ticket"
        self.path = folder / self.name
        os.rename(hidden, self.path)

    def close(self) -> None:
        with suppress(OSError):
            os.unlink(self.path)
        _release(self.fd)


def _live(ticket: Path) -> bool:
    """Whether the ticket's owner still waits; a dead owner's ticket is removed."""
    try:
        fd = os.open(ticket, os.O_RDONLY)
    except OSError:
        return False  # served and gone
    try:
        if not _try_lock(fd):
            return True
        with suppress(OSError):
            os.unlink(ticket)  # its owner died in line
        return False
    finally:
        os.close(fd)


def _sweep_hidden(folder: Path, names: list[str]) -> None:
    """Remove tickets of processes that died while taking one (before the rename): a
    hidden ticket is locked within microseconds, so one a minute old and unlocked is."""
    for name in names:
        ticket = folder / name
        with suppress(OSError):
            if time.time() - ticket.stat().st_mtime > 60:
                _live(ticket)  # removes it when unlocked


def _in_line(folder: Path, before: str | None = None, count: bool = False) -> int:
    """Live tickets in line before the ticket named `before` (None: tickets of other
    processes); stops at the first one found unless `count`."""
    try:
        names = sorted(os.listdir(folder))
    except FileNotFoundError:
        return 0
    hidden = [n for n in names if n.startswith(".")]
    if hidden:
        _sweep_hidden(folder, hidden)
    names = [n for n in names if n.endswith(".ticket")]
    mine = f"-{os.getpid()}-"
    live = 0
    for name in names:
        if before is not None and name >= before:
            break
        if before is None and mine in name:
            continue
        if _live(folder / name):
            live += 1
            if not count:
                break
    return live


def _enter(path: Path, hold: _Hold, wait: Wait) -> None:
    folder = queue_path(path)
    with hold.mutex:  # this process holds the store and nobody else waits: come in
        if hold.count > 0 and not _in_line(folder):
            hold.count += 1
            return
    ticket = _Ticket(folder)
    try:
        while True:
            with hold.mutex:
                if hold.count > 0 and (wait.elapsed > DEFER_S or not _in_line(folder)):
                    hold.count += 1  # joined this process's hold (or stood back enough)
                    return
            ahead = _in_line(folder, ticket.name, count=wait.due)
            if not ahead:
                break
            wait.again(holder(path), ahead)
        with hold.mutex:  # first in line
            if hold.count > 0:
                hold.count += 1
                return
        fd = os.open(lock_path(path), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            while not _try_lock(fd):  # next: look often
                wait.again(holder(path), nap_s=0.003)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except BaseException:
            _release(fd)
            raise
        with hold.mutex:
            hold.fd, hold.count = fd, 1
    finally:
        ticket.close()


def _leave(hold: _Hold) -> None:
    with hold.mutex:
        hold.count -= 1
        if hold.count == 0 and hold.fd is not None:
            fd, hold.fd = hold.fd, None
            _release(fd)


@contextmanager
def turn(path: Path, wait: Wait) -> Iterator[None]:
    """This thread's turn on the store at `path`, waiting (per `wait`) for other processes.
    Close every DuckDB connection to the file before the block ends."""
    if fcntl is None:  # pragma: no cover - Windows: DuckDB's own lock only
        yield
        return
    path = Path(os.path.realpath(path))  # one hold per file, however its path is spelled
    key = str(path)
    with _HOLDS_MUTEX:
        hold = _HOLDS.setdefault(key, _Hold())
    depth: dict[str, int] = _LOCAL.__dict__.setdefault("depth", {})
    if depth.get(key, 0) > 0:  # nested in this thread's use: the process holds the store
        with hold.mutex:
            hold.count += 1
    else:
        _enter(path, hold, wait)
    depth[key] = depth.get(key, 0) + 1
    try:
        yield
    finally:
        depth[key] -= 1
        _leave(hold)
