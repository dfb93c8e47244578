"""Many processes on one store: nothing lost, nothing refused, waits that say the truth,
and no temporary file left behind (`sop.store.locking`, `sop.store.scratch`).

The other processes are real (`python -c` scripts below, on this checkout's `sop`).
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from tiny import ROOT, tiny_tables, write_tables

from sop.data.validate import check_tables
from sop.store import Store, StoreError, decisions, locking, scratch

ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}

# imports once, then forks 20 writer processes (each its own pid, as 20 separate
# programs would be); each waits for `go`, makes 10 writes, prints one JSON line
WRITERS = r"""
import json, os, sys, time
from datetime import date
from pathlib import Path
from sop.store import Store, StoreError, decisions
path, go, procs, writes = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def write(who):
    store = Store(path)
    while not go.exists():
        time.sleep(0.002)
    done, refused = 0, []
    for k in range(writes):
        try:
            decisions.add_item(store, "2025-12", "action", f"{who}-{k}", "ops", date(2026, 1, 31))
            done += 1
        except StoreError as exc:
            refused.append(str(exc))
    print(json.dumps({"pid": os.getpid(), "done": done, "refused": refused}), flush=True)
children = []
for i in range(procs):
    pid = os.fork()
    if pid == 0:
        try:
            write(f"w{i}")
        finally:
            os._exit(0)
    children.append(pid)
print("ready", flush=True)
codes = [os.waitpid(pid, 0)[1] for pid in children]
sys.exit(1 if any(codes) else 0)
"""

# holds the store (one long use) until `release` exists, while 4 threads read in a loop
# until `stop` exists
READER = r"""
import sys, threading, time
from pathlib import Path
from sop.store import Store
store, release, stop = Store(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
reads = [0] * 4
def loop(i):
    while not stop.exists():
        store.datasets()
        reads[i] += 1
threads = [threading.Thread(target=loop, args=(i,)) for i in range(4)]
with store.connect() as con:
    con.execute("SELECT count(*) FROM datasets").fetchone()
    print("holding", flush=True)
    for t in threads:
        t.start()
    while not release.exists():
        time.sleep(0.01)
for t in threads:
    t.join()
print(sum(reads), flush=True)
"""

# a load whose first temporary Parquet file is written, then the process stops (to be killed)
STALLED_LOAD = r"""
import sys, time
import pandas as pd
from tiny import tiny_tables
from sop.data.validate import check_tables
from sop.store import Store
tables = check_tables(tiny_tables()).tables
sales = tables["sales"]
tables["sales"] = pd.concat([sales] * 500, ignore_index=True)  # a large table
write = pd.DataFrame.to_parquet
def stall(self, path, *args, **kwargs):
    write(self, path, *args, **kwargs)
    if len(self) > 10_000:  # the large table's file is on disk: stop here
        print(path, flush=True)
        time.sleep(120)
pd.DataFrame.to_parquet = stall
Store(sys.argv[1]).load(tables, name="killed")
"""


def _spawn(script: str, *args: object, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def _lines(stream) -> queue.Queue:
    """Lines of `stream` as they come, read by a thread (None at the end)."""
    out: queue.Queue = queue.Queue()

    def pump() -> None:
        for line in stream:
            out.put(line)
        out.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return out


def _wait_for(lines: queue.Queue, text: str, timeout: float = 60) -> list[str]:
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        if text in line:
            return seen
    raise AssertionError(f"{text!r} never came; got {''.join(seen)!r}")


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary folder of this test's own (for it and its children), so that the
    Store uses of other processes on this machine do not sweep its files first."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setattr(scratch, "_folder", None)
    monkeypatch.setitem(ENV, "TMPDIR", str(folder))
    return folder


@pytest.fixture
def loaded(store: Store) -> Store:
    store.load(check_tables(tiny_tables()).tables, name="tiny")
    return store


def test_twenty_processes_writing_at_once_lose_nothing_and_refuse_nothing(
    loaded: Store, tmp_path: Path
) -> None:
    go = tmp_path / "go"
    writers = _spawn(WRITERS, loaded.path, go, 20, 10)
    assert writers.stdout.readline().strip() == "ready", writers.stderr.read()
    go.touch()  # all at once
    out, err = writers.communicate(timeout=300)
    assert writers.returncode == 0, err
    reports = [json.loads(line) for line in out.strip().splitlines()]
    assert len({r["pid"] for r in reports}) == 20
    assert [r["refused"] for r in reports] == [[]] * 20
    assert sum(r["done"] for r in reports) == 200
    log = decisions.log(loaded)
    texts = sorted(log.loc[log["kind"] == "action", "note"])
    assert texts == sorted(f"w{i}-{k}" for i in range(20) for k in range(10))


def test_a_cli_load_waits_for_a_reading_process_and_says_for_whom(
    loaded: Store, tmp_path: Path
) -> None:
    release, stop = tmp_path / "release", tmp_path / "stop"
    reader = _spawn(READER, loaded.path, release, stop)
    try:
        _wait_for(_lines(reader.stdout), "holding")
        folder = write_tables(tiny_tables(), tmp_path / "again")
        cli = _spawn(
            "from sop.cli.main import main; raise SystemExit(main())",
            "--store",
            loaded.path,
            "load",
            folder,
        )
        said = _wait_for(_lines(cli.stderr), "waiting for it")
        assert f"is in use by process {reader.pid} (" in said[-1]
        assert "Close it" not in said[-1] and "stop the app" not in said[-1]
        release.touch()  # the long use ends; its 4 reading threads go on
        assert cli.wait(timeout=120) == 0
        assert "Loaded `again` as dataset version 2" in cli.stdout.read()
    finally:
        release.touch()
        stop.touch()
        reader.wait(timeout=60)
    assert reader.returncode == 0, reader.stderr.read()
    assert list(loaded.datasets()["version"]) == [2, 1]


def test_past_the_wait_limit_the_message_names_the_holder_and_no_wrong_advice(
    loaded: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release, stop = tmp_path / "release", tmp_path / "stop"
    stop.touch()  # no reading threads: only the long use
    holder = _spawn(READER, loaded.path, release, stop)
    try:
        _wait_for(_lines(holder.stdout), "holding")
        monkeypatch.setenv("SOP_LOCK_WAIT_S", "1.5")
        with pytest.raises(StoreError) as refused:
            loaded.datasets()
    finally:
        release.touch()
        holder.wait(timeout=60)
    text = str(refused.value)
    assert f"in use by process {holder.pid} ({sys.executable} -c" in text
    assert "SOP_LOCK_WAIT_S=1.5" in text and "app" not in text
    assert len(loaded.datasets()) == 1  # free again: the next use gets in


def test_a_wait_limit_that_is_no_number_is_refused_saying_so(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOP_LOCK_WAIT_S", "ten")
    with pytest.raises(StoreError, match="SOP_LOCK_WAIT_S='ten' is not a number of seconds"):
        store.datasets()


def test_the_holding_process_admits_no_new_use_while_another_waits_and_never_deadlocks(
    loaded: Store,
) -> None:
    with loaded.connect() as outer:
        waiter = _spawn(
            "import sys; from sop.store import Store; Store(sys.argv[1]).active()", loaded.path
        )
        said = _wait_for(_lines(waiter.stderr), "waiting for it")
        assert f"in use by process {os.getpid()} (" in said[-1]
        with loaded.connect() as nested:  # the same thread: never queues
            assert nested.execute("SELECT 1").fetchone() == (1,)
        took: list[float] = []

        def another_thread() -> None:
            t = time.monotonic()
            loaded.datasets()
            took.append(time.monotonic() - t)

        t = threading.Thread(target=another_thread)
        t.start()
        t.join(timeout=30)
        assert took and locking.DEFER_S * 0.9 <= took[0] < locking.DEFER_S + 5  # stood back
        outer.execute("SELECT 1").fetchone()
    assert waiter.wait(timeout=60) == 0


def test_temporary_parquet_files_name_their_owner_and_go_on_every_path() -> None:
    frame = pd.DataFrame({"a": [1, 2, 3]})
    seen: list[Path] = []
    with scratch.as_parquet(frame) as name:
        seen.append(Path(name))
        assert Path(name).parent == scratch.folder()
        assert Path(name).parent.name == "sop-studio"
        assert scratch.owner(Path(name).name) == os.getpid()
        assert pd.read_parquet(name).equals(frame)
    for stop in (ValueError("bad row"), KeyboardInterrupt()):
        with pytest.raises(type(stop)), scratch.as_parquet(frame) as name:
            seen.append(Path(name))
            raise stop
    assert len(seen) == 3 and not any(p.exists() for p in seen)


def test_the_sweep_removes_only_the_files_of_processes_that_are_not_running(
    private_tmp: Path,
) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # reaped: its pid is free
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        folder = scratch.folder()
        assert folder == private_tmp / "sop-studio"
        dead_file = folder / f"sop-{gone.pid}-test.parquet"
        live_file = folder / f"sop-{alive.pid}-test.parquet"
        mine = folder / f"sop-{os.getpid()}-test.parquet"
        other = folder / "notes.parquet"
        for p in (dead_file, live_file, mine, other):
            p.write_bytes(b"x")
        assert dead_file in scratch.sweep()
        assert not dead_file.exists() and live_file.exists() and mine.exists() and other.exists()
    finally:
        alive.kill()
        alive.wait()
        for p in (live_file, mine, other):
            p.unlink(missing_ok=True)


def test_a_load_killed_midway_leaves_its_file_until_the_next_use_and_the_store_as_it_was(
    loaded: Store, private_tmp: Path
) -> None:
    before = (loaded.datasets()[["version", "name", "active"]], loaded.row_counts())
    child = _spawn(STALLED_LOAD, loaded.path)
    try:
        name = Path(_wait_for(_lines(child.stdout), ".parquet")[-1].strip())
        assert name.parent == scratch.folder() and scratch.owner(name.name) == child.pid
        assert name.exists() and name.stat().st_size > 0
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    assert name.exists()  # killed outright: nobody removed it
    versions = loaded.datasets()[["version", "name", "active"]]  # the next use
    assert not name.exists()
    pd.testing.assert_frame_equal(versions, before[0])
    assert loaded.row_counts() == before[1]
    assert decisions.add_item(loaded, "2025-12", "action", "after", "ops", date(2026, 1, 31))


def test_a_dead_process_ticket_in_line_is_removed_and_waits_for_nobody(
    loaded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOP_LOCK_WAIT_S", "5")  # would be refused, not hang, if it waited
    line = locking.queue_path(loaded.path)
    line.mkdir(exist_ok=True)
    dead = line / "00000000000000000001-999999-1.ticket"  # first in line, owner gone
    dead.touch()
    start = time.monotonic()
    assert len(loaded.datasets()) == 1
    assert time.monotonic() - start < 2 and not dead.exists()


def test_one_file_spelt_two_ways_is_one_hold(
    loaded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOP_LOCK_WAIT_S", "5")
    monkeypatch.chdir(loaded.path.parent)
    with loaded.connect(), Store(loaded.path.name).connect() as again:  # nested, relative
        assert again.execute("SELECT count(*) FROM datasets").fetchone() == (1,)
