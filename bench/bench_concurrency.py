"""Many processes on one store (issue 14): throughput, waits, nothing lost or refused.

1. 20 processes, started together, each log 10 actions on the Decisions log
   (`sop.store.decisions.add_item`, one write transaction each): writes/s from the start
   signal to the last write, the longest wait for the store (`sop.store.locking`), the
   longest write, refused and lost writes (target: 0 and 0).
2. `python -m sop load` of the demo while another process reads the store in a loop on
   4 threads (as the app's sessions do): the load's time and its longest wait for the
   store, against the same load with nobody else; and how many reads the reader made.
   `--compare` runs 2. again with DuckDB's own lock only (no queue), as before issue 14.

The waits are measured inside the processes (each `Wait` of `sop.store.locking`).
Run: .venv/bin/python bench/bench_concurrency.py [--procs 20] [--writes 10]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from sop.data.validate import validate_dir  # noqa: E402
from sop.store import Store, decisions  # noqa: E402

ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}

# every process records how long each of its uses waited for the store
MEASURED = r"""
import atexit, json, os, sys
from sop.store import locking
if os.environ.get("BENCH_DUCKDB_LOCK_ONLY"):  # as before the queue: DuckDB's own lock only
    locking.fcntl = None
WAITS = []
done = locking.Wait.done
def record(self):
    WAITS.append(self.elapsed)
    done(self)
locking.Wait.done = record
"""

WRITER = (
    MEASURED
    + r"""
import time
from datetime import date
from pathlib import Path
from sop.store import Store, StoreError, decisions
store, who, go, n = Store(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
print("ready", flush=True)
while not go.exists():
    time.sleep(0.001)
refused, longest = [], 0.0
for k in range(n):
    t = time.monotonic()
    try:
        decisions.add_item(store, "2025-12", "action", f"{who}-{k}", "ops", date(2026, 1, 31))
    except StoreError as exc:
        refused.append(str(exc))
    longest = max(longest, time.monotonic() - t)
print(json.dumps({"refused": refused, "longest_write": longest, "longest_wait": max(WAITS),
                  "end": time.time()}), flush=True)
"""
)

READER = (
    MEASURED
    + r"""
import threading, time
from pathlib import Path
from sop.store import Store
store, stop = Store(sys.argv[1]), Path(sys.argv[2])
reads = [0] * 4
def loop(i):
    while not stop.exists():
        store.datasets()
        reads[i] += 1
threads = [threading.Thread(target=loop, args=(i,)) for i in range(4)]
for t in threads:
    t.start()
print("reading", flush=True)
for t in threads:
    t.join()
print(sum(reads), flush=True)
"""
)

CLI = (
    MEASURED
    + r"""
atexit.register(lambda: print(json.dumps({"longest_wait": max(WAITS, default=0.0)}),
                              file=sys.stderr))
from sop.cli.main import main
raise SystemExit(main())
"""
)


def _spawn(script: str, *args: object) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def many_writers(folder: Path, procs: int, writes: int) -> None:
    store = Store(folder / "writers.duckdb")
    store.load(validate_dir(ROOT / "data" / "demo").tables, name="demo")
    go = folder / "go"
    workers = [_spawn(WRITER, store.path, f"w{i}", go, writes) for i in range(procs)]
    for w in workers:
        assert w.stdout.readline().strip() == "ready", w.stderr.read()
    start = time.time()
    go.touch()
    reports = []
    for w in workers:
        out, err = w.communicate(timeout=600)
        assert w.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))
    seconds = max(r["end"] for r in reports) - start
    log = decisions.log(store)
    present = set(log.loc[log["kind"] == "action", "note"])
    wanted = {f"w{i}-{k}" for i in range(procs) for k in range(writes)}
    total = procs * writes
    print(f"{procs} processes x {writes} writes at once: {total} writes in {seconds:.1f} s")
    print(f"  writes/s:        {total / seconds:.1f}")
    print(f"  longest wait:    {max(r['longest_wait'] for r in reports):.2f} s")
    print(f"  longest write:   {max(r['longest_write'] for r in reports):.2f} s")
    print(f"  refused:         {sum(len(r['refused']) for r in reports)}")
    print(f"  lost:            {len(wanted - present)}")


def load(store: Path) -> tuple[float, float]:
    t = time.monotonic()
    cli = _spawn(CLI, "--store", store, "load", ROOT / "data" / "demo")
    out, err = cli.communicate(timeout=600)
    assert cli.returncode == 0, out + err
    wait = json.loads(err.strip().splitlines()[-1])["longest_wait"]
    return time.monotonic() - t, wait


def load_while_reading(folder: Path, title: str) -> None:
    store = Store(folder / f"reading-{len(title)}.duckdb")
    store.load(validate_dir(ROOT / "data" / "demo").tables, name="demo")
    alone, alone_wait = load(store.path)
    stop = folder / f"stop-{len(title)}"
    reader = _spawn(READER, store.path, stop)
    assert reader.stdout.readline().strip() == "reading", reader.stderr.read()
    began = time.monotonic()
    time.sleep(1.0)
    busy, busy_wait = load(store.path)
    stop.touch()
    out = reader.stdout.read()  # not communicate(): readline() above may hold the rest
    assert reader.wait(timeout=120) == 0, reader.stderr.read()
    reads, seconds = int(out.strip().splitlines()[-1]), time.monotonic() - began
    print(f"CLI load of the demo while another process reads on 4 threads ({title}):")
    print(f"  load alone:      {alone:.2f} s (longest wait for the store {alone_wait:.3f} s)")
    print(f"  load, reader on: {busy:.2f} s (longest wait for the store {busy_wait:.3f} s)")
    print(f"  reader:          {reads} reads in {seconds:.1f} s ({reads / seconds:.0f}/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procs", type=int, default=20)
    parser.add_argument("--writes", type=int, default=10)
    parser.add_argument("--compare", action="store_true", help="also without the queue")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        many_writers(Path(tmp), args.procs, args.writes)
        load_while_reading(Path(tmp), "queue")
        if args.compare:
            ENV["BENCH_DUCKDB_LOCK_ONLY"] = "1"
            load_while_reading(Path(tmp), "DuckDB's lock only")


if __name__ == "__main__":
    main()
