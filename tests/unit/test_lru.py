"""sop.core.lru: the cache bounded by entries and by estimated bytes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from sop.core.lru import SizedLRU, estimate_bytes


def weigh(value: int) -> int:
    """Test values are their own weight."""
    return value


def test_the_entries_bound_evicts_the_least_recently_used() -> None:
    c = SizedLRU(max_entries=3, max_bytes=10**9, sizeof=weigh)
    for k in "abc":
        c.put(k, 1)
    assert c.get("a") == 1  # a is now the most recently used: b goes first
    c.put("d", 1)
    assert "b" not in c and {"a", "c", "d"} == {k for k in "abcd" if k in c}
    assert len(c) == 3 and c.nbytes == 3


def test_the_bytes_bound_evicts_until_the_total_fits() -> None:
    c = SizedLRU(max_entries=100, max_bytes=10, sizeof=weigh)
    c.put("a", 4)
    c.put("b", 4)
    c.put("c", 4)  # 12 > 10: a goes
    assert "a" not in c and c.nbytes == 8
    c.put("d", 9)  # b and c both go
    assert list(k for k in "abcd" if k in c) == ["d"] and c.nbytes == 9


def test_a_value_heavier_than_the_budget_is_not_kept() -> None:
    c = SizedLRU(max_entries=10, max_bytes=10, sizeof=weigh)
    c.put("a", 3)
    c.put("big", 11)
    assert "big" not in c and "a" in c and c.nbytes == 3
    assert c.get_or_make("big", lambda: 11) == 11 and "big" not in c


def test_replacing_a_key_reweighs_it() -> None:
    c = SizedLRU(max_entries=10, max_bytes=100, sizeof=weigh)
    c.put("a", 30)
    c.put("a", 5)
    assert len(c) == 1 and c.nbytes == 5


def test_a_hit_returns_the_same_object_and_makes_nothing() -> None:
    c = SizedLRU(max_entries=4, max_bytes=10**9)
    frame = pd.DataFrame({"x": [1.0, 2.0]})
    made = []

    def make() -> pd.DataFrame:
        made.append(1)
        return frame

    assert c.get_or_make(("k", 1), make) is frame
    assert c.get_or_make(("k", 1), make) is frame
    assert made == [1] and (c.hits, c.misses) == (1, 1)


def test_none_is_a_value_that_is_kept() -> None:
    c = SizedLRU(max_entries=4, max_bytes=10**6)
    calls = []
    for _ in range(2):
        assert c.get_or_make("none", lambda: calls.append(1)) is None
    assert calls == [1]


def test_clear_empties_it() -> None:
    c = SizedLRU(max_entries=4, max_bytes=100, sizeof=weigh)
    c.put("a", 5)
    c.clear()
    assert len(c) == 0 and c.nbytes == 0 and c.get("a") is None


def test_bounds_must_leave_room() -> None:
    with pytest.raises(ValueError):
        SizedLRU(max_entries=0, max_bytes=10)
    with pytest.raises(ValueError):
        SizedLRU(max_entries=1, max_bytes=0)


@dataclass(frozen=True)
class Holder:
    frame: pd.DataFrame
    again: pd.DataFrame
    arrays: dict


def test_estimate_counts_frames_arrays_and_strings_once() -> None:
    n = 100_000
    frame = pd.DataFrame({"x": np.zeros(n), "s": [f"sku-{i:06d}" for i in range(n)]})
    arr = np.zeros(n)
    one = estimate_bytes(frame)
    assert one >= n * 8 + n * 10  # the floats and at least the strings' characters
    both = estimate_bytes(Holder(frame, frame, {"a": arr}))
    assert one + arr.nbytes <= both < one + arr.nbytes + 10_000  # the shared frame once
