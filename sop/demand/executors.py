"""Where the forecast's chunks of series run: this machine's cores, or a Dask cluster.

The engine (`sop.demand.engine.run_jobs`) cuts the series into chunks and hands them
to an `Executor`, which calls `fn(chunk, shared)` for every chunk and returns the
results in chunk order, whatever order they finish in. `shared` is what every chunk
needs (the selection settings): an executor sends it to each worker once where it can.

- `LocalPool(workers)`: worker processes on this machine (fork, or a fork server when
  other threads run), or in this process when `workers` is 1. The default.
- `DaskCluster(address, workers)`: a Dask scheduler at `address` (tcp://host:8786),
  or a local Dask cluster of `workers` processes started for the run and closed after.
  Dask is imported only here, only when such a run starts (docs/scaling.md).

Both keep the linear algebra on one thread per worker: the models solve tiny systems,
where BLAS threads only add overhead (10x on L-BFGS-B), and the workers share the cores.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing as mp
import os
import sys
import threading
import types
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from typing import Any, Protocol

import numpy as np

BLAS_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
CONNECT_TIMEOUT = "10s"  # how long to try reaching a scheduler before giving up
DASK_HINT = "install them with `pip install dask distributed` (requirements.txt pins them)"


class ClusterError(RuntimeError):
    """The distributed engine cannot run: Dask missing, the scheduler unreachable, or
    the workers unable to import the project. The message says what to do."""


class Executor(Protocol):
    """Runs `fn(chunk, shared)` over chunks; a context manager, so several runs can share
    one set of workers (`with executor: ...`)."""

    def map_chunks(
        self,
        fn: Callable[[Any, Any], Any],
        chunks: Sequence[Any],
        shared: Any,
        done: Callable[[int], None] | None = None,
    ) -> list:
        """fn(chunk, shared) for every chunk, in chunk order; `done(i)` as chunk i ends."""
        ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...


# --- single-threaded BLAS -----------------------------------------------------------------
def _openblas() -> list[tuple[Callable, Callable]]:
    """(set_num_threads, get_num_threads) of every OpenBLAS loaded in this process."""
    try:
        with open("/proc/self/maps") as fh:
            paths = sorted({ln.split()[-1] for ln in fh if "openblas" in ln and ".so" in ln})
    except OSError:
        return []
    out = []
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (
            ("scipy_openblas", "64_"),
            ("scipy_openblas", ""),
            ("openblas", "64_"),
            ("openblas", ""),
        ):
            set_fn = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
            get_fn = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
            if set_fn is not None and get_fn is not None:
                out.append((set_fn, get_fn))
                break
    return out


def _single_thread_blas() -> None:
    """Worker initializer: OpenBLAS on one thread. A forked worker inherits the parent's
    thread pool, which environment variables set after numpy loaded cannot change.
    Best effort: does nothing without OpenBLAS."""
    for set_fn, _ in _openblas():
        set_fn(1)


@contextmanager
def _blas_one_thread() -> Iterator[None]:
    """Single-threaded OpenBLAS inside the block, restored after (in-process runs)."""
    libs = _openblas()
    before = [get_fn() for _, get_fn in libs]
    for set_fn, _ in libs:
        set_fn(1)
    try:
        yield
    finally:
        for (set_fn, _), n in zip(libs, before):
            set_fn(n)


@contextmanager
def _workers_skip_main() -> Iterator[None]:
    """Hide `__main__`'s file while worker processes start: a fork-server (or spawned)
    worker re-runs the parent's main script, which under Streamlit (or after an AppTest
    run) is a page or app.py, so each worker would render the app in bare mode. A
    stand-in module without __file__ is not re-run."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


# --- this machine -------------------------------------------------------------------------
class LocalPool:
    """Worker processes on this machine (`workers`, default every core); with one worker
    or one chunk, in this process. `shared` travels with each chunk (it is small)."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = os.cpu_count() or 1 if workers is None else max(1, workers)

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def map_chunks(
        self,
        fn: Callable[[Any, Any], Any],
        chunks: Sequence[Any],
        shared: Any,
        done: Callable[[int], None] | None = None,
    ) -> list:
        out: list = [None] * len(chunks)
        if self.workers == 1 or len(chunks) <= 1:
            for i, c in enumerate(chunks):
                with np.errstate(all="ignore"), warnings.catch_warnings(), _blas_one_thread():
                    out[i] = fn(c, shared)
                if done:
                    done(i)
            return out
        for var in BLAS_THREAD_VARS:  # tiny matrices: BLAS threads only cost time
            os.environ.setdefault(var, "1")
        # fork is instant and shares the loaded modules, but forking a process that runs
        # other threads (the Streamlit server) can deadlock the child: use a fork server then
        if threading.active_count() == 1 and "fork" in mp.get_all_start_methods():
            ctx = mp.get_context("fork")
        else:
            ctx = mp.get_context("forkserver")
            ctx.set_forkserver_preload(["sop.demand.selection"])
        with (
            _workers_skip_main(),
            ProcessPoolExecutor(
                max_workers=min(self.workers, len(chunks)),
                mp_context=ctx,
                initializer=_single_thread_blas,
            ) as pool,
        ):
            futures = {pool.submit(fn, c, shared): i for i, c in enumerate(chunks)}
            for fut in as_completed(futures):
                i = futures[fut]
                out[i] = fut.result()
                if done:
                    done(i)
        return out


# --- a Dask cluster -----------------------------------------------------------------------
_BLAS_DONE: list[bool] = []  # per worker process: BLAS already set to one thread


def _on_worker(fn: Callable[[Any, Any], Any], chunk: Any, shared: Any) -> Any:
    """Run one chunk on a Dask worker, BLAS on one thread (set once per process)."""
    if not _BLAS_DONE:
        _single_thread_blas()
        _BLAS_DONE.append(True)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        return fn(chunk, shared)


def _import_dask() -> types.ModuleType:
    try:
        import distributed
    except ImportError as exc:
        raise ClusterError(
            f"the Dask engine needs the packages dask and distributed ({exc}): {DASK_HINT}, "
            "or run with --engine local"
        ) from None
    return distributed


class DaskCluster:
    """Chunks as Dask tasks: on the scheduler at `address` (its workers must have this
    project and its requirements installed), or, without an address, on a local cluster
    of `workers` single-threaded processes (default every core) started here.

    Used as a context manager the connection (and local cluster) lasts the block;
    otherwise each `map_chunks` opens and closes its own."""

    def __init__(
        self,
        address: str | None = None,
        workers: int | None = None,
        timeout: str | None = None,
    ) -> None:
        self.address = address
        self.workers = os.cpu_count() or 1 if workers is None else max(1, workers)
        self.timeout = timeout or CONNECT_TIMEOUT
        self._client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> DaskCluster:
        self._open()
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()

    def _open(self) -> None:
        distributed = _import_dask()
        if self.address:
            try:
                self._client = distributed.Client(
                    self.address, timeout=self.timeout, set_as_default=False
                )
            except (OSError, ValueError, TypeError) as exc:
                raise ClusterError(
                    f"cannot reach the Dask scheduler at {self.address} ({exc}). Start one "
                    "(`dask scheduler`, and `dask worker ADDRESS` on each machine), check "
                    "the address and port (default 8786), or leave out --scheduler to use "
                    "a local cluster"
                ) from None
            return
        env = dict.fromkeys(BLAS_THREAD_VARS, "1")
        with _workers_skip_main():
            self._cluster = distributed.LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
                env=env,
            )
        self._client = distributed.Client(self._cluster, set_as_default=False)

    def _close(self) -> None:
        client, cluster = self._client, self._cluster
        self._client = self._cluster = None
        try:
            if client is not None:
                client.close()
        finally:
            if cluster is not None:
                cluster.close()

    def map_chunks(
        self,
        fn: Callable[[Any, Any], Any],
        chunks: Sequence[Any],
        shared: Any,
        done: Callable[[int], None] | None = None,
    ) -> list:
        if not chunks:
            return []
        own = self._client is None
        if own:
            self._open()
        try:
            return self._run(fn, chunks, shared, done)
        finally:
            if own:
                self._close()

    def _run(
        self,
        fn: Callable[[Any, Any], Any],
        chunks: Sequence[Any],
        shared: Any,
        done: Callable[[int], None] | None,
    ) -> list:
        from distributed import KilledWorker
        from distributed import as_completed as dask_completed

        client = self._client
        # a list of one, so a dict or list `shared` stays one object (not one per item)
        [shared_f] = client.scatter([shared], broadcast=True, hash=False)
        futures = client.map(_on_worker, [fn] * len(chunks), chunks, shared=shared_f, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        out: list = [None] * len(chunks)
        try:
            for fut in dask_completed(futures, loop=client.loop):
                i = index[fut.key]
                out[i] = fut.result()
                if done:
                    done(i)
        except ModuleNotFoundError as exc:
            raise ClusterError(
                f"a Dask worker cannot import `{exc.name}`: install this project and its "
                "requirements on every worker (the same virtual environment or image), or "
                "ship it with client.upload_file"
            ) from None
        except KilledWorker as exc:
            raise ClusterError(
                f"Dask workers died running the forecast ({exc}); check the workers' logs "
                "and memory (docs/scaling.md gives the memory per series)"
            ) from None
        finally:
            client.cancel(futures)
            client.cancel([shared_f])
        return out
