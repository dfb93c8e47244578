"""The app's cache of what is made per lever position (evaluations, finance views,
S&OP grids): one `sop.core.lru.SizedLRU` shared by every session, bounded by entries
and by estimated memory so the server does not grow with each slider position.

Bounds: `SOP_EVAL_CACHE_ENTRIES` (default 64) entries and `SOP_EVAL_CACHE_MB` (default
256) MB; an evaluation of 20,000 SKUs adds about 9 MB to the server (measured before
the risk run kept its outcomes by family and month for the chance of meeting budget,
`sop.finance.budget_odds`: 8 kB more per family-month, 3.6 MB for 25 families over 18
months; the bound counts it). The cache itself is
a `st.cache_resource`, so `st.cache_resource.clear()` (a new load,
`sop.ui.readers.clear_caches`) empties it too.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable
from typing import Any

import streamlit as st

from sop.core.lru import MB, SizedLRU

ENTRIES_ENV, MB_ENV = "SOP_EVAL_CACHE_ENTRIES", "SOP_EVAL_CACHE_MB"
DEFAULT_ENTRIES, DEFAULT_MB = 64, 256


def _setting(name: str, default: int) -> int:
    """A positive whole number from the environment, else `default`."""
    try:
        value = int(os.environ.get(name, "").strip() or default)
    except ValueError:
        return default
    return value if value > 0 else default


@st.cache_resource(show_spinner=False)
def lru() -> SizedLRU:
    """The one cache of the server process, sized from the environment."""
    return SizedLRU(_setting(ENTRIES_ENV, DEFAULT_ENTRIES), _setting(MB_ENV, DEFAULT_MB) * MB)


def cached(key: Hashable, make: Callable[[], Any], spinner: str | None = None) -> Any:
    """The value kept under `key`, else `make()` (under `spinner` when given) kept."""
    cache = lru()
    missing = object()
    value = cache.get(key, missing)
    if value is not missing:
        return value
    if spinner:
        with st.spinner(spinner):
            value = make()
    else:
        value = make()
    cache.put(key, value)
    return value
