"""A second override on the same selection and overlapping months is stored only once
the planner has seen what the two make together and said "stack"."""

from __future__ import annotations

import pandas as pd
import pytest
from demand_helpers import MONTHS, loaded_store, store_fake_run
from tiny import tiny_tables

from sop.core import schema
from sop.demand import consensus, overrides, stacking
from sop.store import Store
from sop.store import overrides as override_log

M = MONTHS


def ov(value: float = 25.0, kind: str = overrides.KIND_PCT, start=M[0], end=M[1], **kw):
    base = dict(level=overrides.LEVEL_FAMILY, family="Alpha", reason="promo")
    base.update(kw)
    return overrides.Override(start_month=start, end_month=end, kind=kind, value=value, **base)


def active(*items: overrides.Override, author: str = "Ana") -> pd.DataFrame:
    rows = [
        {
            **overrides.as_row(o),
            schema.AUTHOR: author,
            schema.OVERRIDE_ID: i + 1,
            schema.CREATED_AT: pd.Timestamp(0),
        }
        for i, o in enumerate(items)
    ]
    return pd.DataFrame(rows, columns=schema.OVERRIDE_COLUMNS)


@pytest.mark.parametrize(
    "changes, expect",
    [
        ([("pct", 25.0), ("pct", 25.0)], "+56 %"),
        ([("pct", 2.0), ("pct", 3.0)], "+5.1 %"),
        ([("units", 1000.0), ("pct", 10.0)], "= 1,100 units/month"),
        ([("pct", 50.0), ("units", 800.0)], "= 800 units/month"),
        ([("pct", -50.0), ("pct", -50.0)], "-75 %"),
    ],
)
def test_combined_effect_follows_the_order_overrides_apply_in(changes, expect) -> None:
    assert stacking.combined(changes) == expect


def test_the_question_names_the_earlier_override_and_what_they_make_together() -> None:
    found = stacking.check(active(ov(), author="Ana"), ov())
    assert found is not None and found.earlier[schema.OVERRIDE_ID].tolist() == [1]
    assert found.question.startswith(
        "An override of +25 % from Ana (#1, Jan 2026 – Feb 2026) already applies to these "
        "months; with this one (+25 %) together they make +56 %."
    )


def test_only_the_overlapping_months_of_the_same_selection_count() -> None:
    earlier = active(
        ov(start=M[0], end=M[1]),
        ov(start=M[3], end=M[4]),  # no month in common
        ov(family="Beta"),  # another family
        ov(level=overrides.LEVEL_SKU, family="Alpha", sku="A1"),  # another level
    )
    assert stacking.check(earlier, ov(start=M[2], end=M[2])) is None
    found = stacking.check(earlier, ov(10.0, start=M[1], end=M[3]))
    assert found.earlier[schema.OVERRIDE_ID].tolist() == [1, 2]
    assert "together they make +38 % in Feb 2026; +38 % in Apr 2026" in found.question


def test_a_second_identical_override_is_not_stored_until_the_planner_says_stack(
    store: Store,
) -> None:
    loaded_store(store)
    store_fake_run(store)
    first = consensus.submit_override(store, ov())
    with pytest.raises(stacking.StackingNeedsConsent) as asked:
        consensus.submit_override(store, ov())
    assert override_log.counts(store) == (1, 0)  # nothing stored
    found = asked.value.stacking
    assert "together they make +56 %" in found.question
    # the combined effect in units: Alpha's P50 is 500 a month, over two months
    assert found.totals == pytest.approx({"forecast": 1000.0, "now": 1250.0, "after": 1562.5})
    text = stacking.totals_text(found, overrides.normalise(ov(), tiny_tables()[schema.PRODUCTS]))
    assert "statistical forecast 1,000 units" in text and "1,562 units (+56 % on" in text
    second = consensus.submit_override(store, ov(), stack=True)
    assert override_log.active(store)[schema.OVERRIDE_ID].tolist() == [first, second]
    plan = consensus.consensus(store, consensus.context(store))
    alpha = plan[(plan[schema.FAMILY] == "Alpha") & (plan[schema.MONTH] == M[0])]
    assert alpha[schema.UNITS].sum() == pytest.approx(500 * 1.25 * 1.25)
