"""Temporary Parquet files for bulk inserts: named by their owner, always removed.

Each file lives in one folder, `<tmp>/sop-studio/`, and is named `sop-<pid>-<random>.parquet`
after the process that wrote it. The writer removes it on every path out (normal end,
exception, KeyboardInterrupt). A process killed outright (SIGKILL, power cut) cannot, so
every store use sweeps the folder: a file whose owner is no longer running is removed;
files of running processes (any user's, any store's) are left alone.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pandas as pd

FOLDER = "sop-studio"
_NAME = re.compile(r"sop-(\d+)-[^/]*\.parquet\Z")
_folder: Path | None = None


def folder() -> Path:
    """`<tmp>/sop-studio`, created private; `sop-studio-<uid>` if another user owns it."""
    global _folder
    if _folder is None or not _folder.is_dir():
        path = Path(tempfile.gettempdir()) / FOLDER
        path.mkdir(mode=0o700, exist_ok=True)
        if not os.access(path, os.W_OK | os.X_OK):
            path = path.with_name(f"{FOLDER}-{os.getuid()}")
            path.mkdir(mode=0o700, exist_ok=True)
        _folder = path
    return _folder


def owner(name: str) -> int | None:
    """The pid in a temporary file's name, None for a file that is not one of ours."""
    m = _NAME.match(name)
    return int(m.group(1)) if m else None


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. another user's process: running
        return True
    try:  # a killed process its parent has not reaped yet is a zombie: not running
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def sweep() -> list[Path]:
    """Remove the temporary files of processes that are not running; returns them."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder()))
    except OSError:
        return removed
    for entry in entries:
        pid = owner(entry.name)
        if pid is None or _running(pid):
            continue
        try:
            os.unlink(entry.path)
        except OSError:  # another process swept it first, or not ours to remove
            continue
        removed.append(Path(entry.path))
    return removed


@contextmanager
def as_parquet(df: pd.DataFrame) -> Iterator[str]:
    """`df` as a temporary Parquet file, for `INSERT ... FROM read_parquet(?)`; removed
    when the block ends, however it ends.

    Not `con.register(df)`: in DuckDB 2.0.1 a pandas/arrow scan can fail at random
    ("pandas_scan does not exist") while another thread opens a connection to the
    same file, which the app's sessions do all the time.
    """
    fd, name = tempfile.mkstemp(suffix=".parquet", prefix=f"sop-{os.getpid()}-", dir=folder())
    try:
        os.close(fd)
        df.to_parquet(name, index=False)
        yield name
    finally:
        with suppress(FileNotFoundError):
            os.unlink(name)
