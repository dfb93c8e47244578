"""What makes an Admin-page run cheap gives the same answers.

`users.people_and_changes` reads both tables through one connection and returns exactly
what `users.people` and `users.changes` return. `gcfreeze.after_imports` freezes the
objects alive only when modules were imported since its last freeze, and collects the
garbage first, so no unreachable cycle is frozen with the modules.
"""

from __future__ import annotations

import gc
import sys
import types
import weakref

import pandas as pd
import pytest

from sop.core import access
from sop.store import Store, users
from sop.ui import gcfreeze


def test_people_and_changes_read_together_equal_the_two_reads(store: Store) -> None:
    users.set_roles(store, "b@example.com", [access.ADMIN], "Bea")
    users.set_roles(store, "a@example.com", [], "")
    users.set_roles(store, "a@example.com", [access.FINANCE])
    users.remove(store, "a@example.com")
    people, log = users.people_and_changes(store)
    pd.testing.assert_frame_equal(people, users.people(store))
    pd.testing.assert_frame_equal(log, users.changes(store))
    assert list(people["email"]) == ["b@example.com"]
    assert list(log["email"]) == ["a@example.com"] * 3 + ["b@example.com"]  # newest first


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector frees it


@pytest.fixture
def unfrozen():
    yield
    gc.unfreeze()  # leave the test process's collector as it was found


def test_after_imports_freezes_once_per_new_import_and_never_frozen_garbage(
    unfrozen, monkeypatch: pytest.MonkeyPatch
) -> None:
    gcfreeze.after_imports()  # whatever the test process imported so far
    assert gcfreeze.after_imports() is False  # nothing new: nothing frozen

    garbage = _Node()
    gone = weakref.ref(garbage)
    del garbage  # unreachable, but alive until a collection
    kept = _Node()
    monkeypatch.setitem(sys.modules, "sop_test_new_module", types.ModuleType("new"))
    before = gc.get_freeze_count()
    assert gcfreeze.after_imports() is True
    assert gone() is None  # collected, not frozen
    assert gc.get_freeze_count() > before  # what is alive (here `kept`) is frozen
    assert kept.me is kept
    assert gcfreeze.after_imports() is False
