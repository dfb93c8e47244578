"""A least-recently-used cache bounded both by entries and by estimated memory.

The app keeps one evaluation per lever position a planner visits (the plan, its KPIs,
SKU-level frames...), so that moving a slider back is instant. A count bound alone
does not bound memory (one evaluation of 20,000 SKUs weighs tens of MB), so entries
are also weighed (`estimate_bytes`) and the least recently used go once the total
passes the byte budget. Values are returned as stored (no copy): callers must not
change them. Thread-safe: Streamlit runs each session in its own thread.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
import pandas as pd

MB = 1024 * 1024


def estimate_bytes(value: Any) -> int:
    """Roughly what `value` holds in memory: frames, series and arrays at their
    buffer sizes (strings counted deeply), walking dataclasses, dicts, lists and
    tuples; anything else at `sys.getsizeof`. An object reached twice counts once."""
    seen: set[int] = set()

    def walk(v: Any) -> int:
        if id(v) in seen:
            return 0
        seen.add(id(v))
        if isinstance(v, pd.DataFrame | pd.Series):
            size = v.memory_usage(deep=True, index=True)
            return int(size.sum()) if isinstance(size, pd.Series) else int(size)
        if isinstance(v, pd.Index):
            return int(v.memory_usage(deep=True))
        if isinstance(v, np.ndarray):
            return int(v.nbytes)
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            return sys.getsizeof(v) + sum(
                walk(getattr(v, f.name)) for f in dataclasses.fields(v) if hasattr(v, f.name)
            )
        if isinstance(v, dict):
            return sys.getsizeof(v) + sum(walk(k) + walk(x) for k, x in v.items())
        if isinstance(v, list | tuple | set | frozenset):
            return sys.getsizeof(v) + sum(walk(x) for x in v)
        return sys.getsizeof(v)

    return walk(value)


class SizedLRU:
    """Values by key, the least recently used evicted past `max_entries` entries or
    `max_bytes` bytes (as weighed by `sizeof`). A value heavier than `max_bytes` on its
    own is returned but not kept."""

    def __init__(
        self,
        max_entries: int,
        max_bytes: int,
        sizeof: Callable[[Any], int] = estimate_bytes,
    ) -> None:
        if max_entries < 1 or max_bytes < 1:
            raise ValueError("An LRU cache needs room for at least one entry and one byte.")
        self.max_entries, self.max_bytes, self._sizeof = max_entries, max_bytes, sizeof
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._items

    @property
    def nbytes(self) -> int:
        """The estimated bytes of the values held."""
        return self._bytes

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The value of `key` (now the most recently used), or `default`."""
        with self._lock:
            if key not in self._items:
                self.misses += 1
                return default
            self.hits += 1
            self._items.move_to_end(key)
            return self._items[key][0]

    def put(self, key: Hashable, value: Any) -> None:
        """Keep `value` under `key` as the most recently used, evicting the least
        recently used entries until both bounds hold."""
        size = self._sizeof(value)
        with self._lock:
            if key in self._items:
                self._bytes -= self._items.pop(key)[1]
            if size > self.max_bytes:
                return
            self._items[key] = (value, size)
            self._bytes += size
            while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                self._bytes -= self._items.popitem(last=False)[1][1]

    def get_or_make(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """The value of `key`, made by `make()` and kept when absent. Two sessions asking
        for the same new key at once may both make it; the last one is kept."""
        missing = object()
        value = self.get(key, missing)
        if value is missing:
            value = make()
            self.put(key, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0
