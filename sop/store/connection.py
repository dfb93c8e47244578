"""Opening the store file: where it is, taking turns on it, and the DDL every store runs.

One connection per use. Processes take turns on the file through `sop.store.locking`
(a fair queue; a waiter says whom it waits for); threads of one process share it and
take turns to write here (`write_lock`). Every use first sweeps away the temporary
Parquet files a killed process left (`sop.store.scratch`).

The first use of a file in a process prepares its schema: the caller's `prepare` (the
store's own tables, `sop.store.core`), then every statement the sibling modules
registered (`register_ddl`); it runs again when a module registers more. Errors a
caller can act on are `StoreError`, with the reason and what to do.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from sop.store import locking, scratch

ROOT = Path(__file__).resolve().parent.parent.parent
# DuckDB lets one process hold the file; inside it, writers take turns here so two
# sessions saving at once both land instead of one hitting a write conflict.
_WRITE_LOCK = threading.RLock()
_READY: set[tuple[str, int]] = set()
_EXTRA_DDL: dict[str, tuple[str, ...]] = {}


class StoreError(RuntimeError):
    """A store operation that cannot be done; the message says why and what to do."""


def default_path() -> Path:
    """`SOP_STORE` if set, else data/sop.duckdb in the project."""
    return Path(os.environ.get("SOP_STORE", ROOT / "data" / "sop.duckdb"))


def register_ddl(owner: str, *statements: str) -> None:
    """Add CREATE ... IF NOT EXISTS statements run on every store (idempotent)."""
    _EXTRA_DDL[owner] = statements


def write_lock() -> threading.RLock:
    """Hold this around a write transaction so writers in this process take turns."""
    return _WRITE_LOCK


@contextmanager
def connect(
    path: Path, prepare: Callable[[duckdb.DuckDBPyConnection], None]
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A fresh connection to the file at `path`. While another process holds the file,
    waits for its turn (`sop.store.locking`: up to SOP_LOCK_WAIT_S, saying on stderr whom
    it waits for); StoreError naming the holder if the wait passes that limit."""
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch.sweep()
    ready = (str(path), len(_EXTRA_DDL))
    try:
        wait = locking.Wait(path)
        with locking.turn(path, wait):
            if not path.exists():
                _READY.discard(ready)
            con = open_file(path, wait)
            wait.done()
            try:
                if ready not in _READY:
                    with _WRITE_LOCK:
                        prepare(con)
                        for statements in _EXTRA_DDL.values():
                            for ddl in statements:
                                con.execute(ddl)
                        _READY.add(ready)
                yield con
            finally:
                con.close()
    except locking.LockError as exc:
        raise StoreError(str(exc)) from None


def open_file(path: Path, wait: locking.Wait) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, retried while DuckDB says another program holds the file."""
    while True:
        try:
            return duckdb.connect(str(path))
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise StoreError(f"The store {path} cannot be opened: {exc}") from exc
            wait.again(locking.pid_in_duckdb_error(str(exc)))


@contextmanager
def transaction(
    path: Path, prepare: Callable[[duckdb.DuckDBPyConnection], None]
) -> Iterator[duckdb.DuckDBPyConnection]:
    """`connect` inside one write transaction, holding the write lock: committed if the
    block ends normally, rolled back (store unchanged) if it raises."""
    with _WRITE_LOCK, connect(path, prepare) as con:
        con.begin()
        try:
            yield con
            con.commit()
        except BaseException:
            con.rollback()
            raise
