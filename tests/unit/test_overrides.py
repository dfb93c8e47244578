"""Consensus overrides: spreading, combining, withdrawing, audit history, bad input."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest
from demand_helpers import MONTHS, P50, fake_values, loaded_store, store_fake_run
from people import person
from tiny import tiny_tables

from sop.core import access, schema
from sop.demand import consensus, overrides
from sop.store import Store, StoreError
from sop.store import overrides as override_log

PRODUCTS = tiny_tables()[schema.PRODUCTS]
M1, M2, M3 = MONTHS[0], MONTHS[1], MONTHS[2]


def ov(
    level: str = overrides.LEVEL_FAMILY,
    kind: str = overrides.KIND_UNITS,
    value: float = 1000.0,
    start: pd.Timestamp = M1,
    end: pd.Timestamp = M2,
    **kw,
) -> overrides.Override:
    base = dict(
        family="Alpha" if level == overrides.LEVEL_FAMILY else None,
        reason="key account win",
    )
    base.update(kw)
    return overrides.Override(
        level=level, start_month=start, end_month=end, kind=kind, value=value, **base
    )


def frame(*items: overrides.Override) -> pd.DataFrame:
    rows = [
        {
            schema.OVERRIDE_ID: i + 1,
            schema.CREATED_AT: pd.Timestamp("2026-01-01"),
            schema.AUTHOR: "Ana",
            schema.REASON: o.reason,
            schema.LEVEL: o.level,
            schema.FAMILY: overrides.normalise(o, PRODUCTS).family,
            schema.SKU: o.sku,
            schema.REGION: o.region,
            schema.START_MONTH: o.start_month,
            schema.END_MONTH: o.end_month,
            schema.KIND: o.kind,
            schema.VALUE: o.value,
        }
        for i, o in enumerate(items)
    ]
    return pd.DataFrame(rows, columns=schema.OVERRIDE_COLUMNS)


def cell(df: pd.DataFrame, sku: str, region: str, month: pd.Timestamp, col: str = schema.UNITS):
    r = df[(df[schema.SKU] == sku) & (df[schema.REGION] == region) & (df[schema.MONTH] == month)]
    assert len(r) == 1
    return float(r[col].iloc[0])


def apply(*items: overrides.Override) -> pd.DataFrame:
    return overrides.apply_overrides(fake_values(), PRODUCTS, frame(*items))


def test_no_overrides_is_the_forecast() -> None:
    out = apply()
    assert (out[schema.UNITS] == out[schema.FORECAST_UNITS]).all()
    assert set(out[schema.SOURCE]) == {"forecast"}


def test_family_quantity_spreads_to_skus_and_regions_in_proportion() -> None:
    out = apply(ov(value=1000.0))
    alpha = 100 + 300 + 50 + 50
    for m in (M1, M2):
        fam = out[(out[schema.FAMILY] == "Alpha") & (out[schema.MONTH] == m)]
        assert fam[schema.UNITS].sum() == pytest.approx(1000.0)
        for (sku, region), v in P50.items():
            if sku.startswith("A"):
                assert cell(out, sku, region, m) == pytest.approx(1000.0 * v / alpha)
    assert cell(out, "A1", "South", M3) == 300.0  # outside the range
    assert cell(out, "B1", "North", M1) == 200.0  # other family
    touched = out[out[schema.SOURCE] == "forecast + override"]
    assert set(touched[schema.FAMILY]) == {"Alpha"} and set(touched[schema.MONTH]) == {M1, M2}


def test_family_percentage_scales_every_cell_and_moves_the_band() -> None:
    out = apply(ov(kind=overrides.KIND_PCT, value=-25.0, end=M1))
    assert cell(out, "A1", "South", M1) == pytest.approx(225.0)
    assert cell(out, "A1", "South", M1, schema.P10) == pytest.approx(0.8 * 225.0)
    assert cell(out, "A1", "South", M1, schema.P90) == pytest.approx(1.3 * 225.0)
    assert cell(out, "A1", "South", M1, schema.FORECAST_UNITS) == 300.0


def test_sku_quantity_spreads_over_its_regions() -> None:
    out = apply(ov(overrides.LEVEL_SKU, value=800.0, sku="A1"))
    assert cell(out, "A1", "North", M1) == pytest.approx(200.0)
    assert cell(out, "A1", "South", M1) == pytest.approx(600.0)
    assert cell(out, "A2", "North", M1) == 50.0


def test_sku_region_percentage_changes_one_cell() -> None:
    out = apply(ov(overrides.LEVEL_SKU_REGION, overrides.KIND_PCT, 10.0, sku="A2", region="South"))
    assert cell(out, "A2", "South", M1) == pytest.approx(55.0)
    assert cell(out, "A2", "North", M1) == 50.0


def test_quantity_on_a_zero_forecast_spreads_evenly_and_shifts_the_band() -> None:
    out = apply(ov(overrides.LEVEL_SKU_REGION, value=40.0, sku="B1", region="South"))
    assert cell(out, "B1", "South", M1) == 40.0
    assert cell(out, "B1", "South", M1, schema.P10) == 40.0  # zero-width band shifted up
    out = apply(ov(overrides.LEVEL_SKU, value=300.0, sku="B1"))
    assert cell(out, "B1", "North", M1) == pytest.approx(300.0)  # all of it where P50 > 0
    assert cell(out, "B1", "South", M1) == pytest.approx(0.0)


def test_overlapping_overrides_combine_in_creation_order() -> None:
    qty, pct = ov(value=1000.0), ov(kind=overrides.KIND_PCT, value=10.0)
    first_qty = apply(qty, pct)
    first_pct = apply(pct, qty)

    def alpha(df):
        return df[(df[schema.FAMILY] == "Alpha") & (df[schema.MONTH] == M1)][schema.UNITS].sum()

    assert alpha(first_qty) == pytest.approx(1100.0)  # set to 1000, then +10 %
    assert alpha(first_pct) == pytest.approx(1000.0)  # +10 %, then reset to 1000
    # a later SKU override on top of a family quantity changes the family total
    then_sku = apply(qty, ov(overrides.LEVEL_SKU, value=0.0, sku="A2"))
    assert alpha(then_sku) == pytest.approx(1000.0 * 400 / 500)
    assert cell(then_sku, "A2", "North", M1) == 0.0


def test_override_outside_the_forecast_changes_nothing() -> None:
    late = MONTHS[-1] + pd.DateOffset(months=3)
    out = apply(ov(start=late, end=late))
    assert (out[schema.UNITS] == out[schema.FORECAST_UNITS]).all()


@pytest.mark.parametrize(
    "bad, expect",
    [
        (dict(kind=overrides.KIND_UNITS, value=-5.0), "cannot be negative"),
        (dict(kind=overrides.KIND_PCT, value=-150.0), "lowest is -100"),
        (dict(kind=overrides.KIND_PCT, value=0.0), "leaves the forecast as it is"),
        (dict(reason="  "), "Enter a reason"),
        (dict(start=M3, end=M1), "before the start month"),
        (dict(level=overrides.LEVEL_SKU, sku="ZZ-9"), "Unknown SKU 'ZZ-9'"),
        (dict(level=overrides.LEVEL_FAMILY, family="Gamma"), "Unknown family 'Gamma'"),
        (dict(level=overrides.LEVEL_SKU_REGION, sku="A1", region="Mars"), "Unknown region 'Mars'"),
        (dict(value=float("nan")), "Enter a number"),
        (dict(start=pd.Timestamp("2024-01-01"), end=pd.Timestamp("2024-03-01")), "actuals"),
    ],
)
def test_bad_input_is_rejected_with_a_clear_message_and_stores_nothing(
    store: Store, bad: dict, expect: str
) -> None:
    loaded_store(store)
    store_fake_run(store)
    before = override_log.counts(store)
    with pytest.raises(overrides.OverrideRejected) as err:
        consensus.submit_override(store, ov(**bad))
    assert any(expect in p for p in err.value.problems), err.value.problems
    assert override_log.counts(store) == before


def test_several_problems_are_reported_together() -> None:
    problems = overrides.check_override(
        ov(value=-1.0, reason="", start=M3, end=M1), PRODUCTS, ["North"]
    )
    assert len(problems) == 3


def test_submit_withdraw_and_the_append_only_history(store: Store) -> None:
    loaded_store(store)
    store_fake_run(store)
    first = consensus.submit_override(store, ov(value=1000.0))
    second = consensus.submit_override(
        store, ov(overrides.LEVEL_SKU, overrides.KIND_PCT, 20.0, sku=" A1".strip())
    )
    assert second > first
    act = override_log.active(store)
    assert act[schema.OVERRIDE_ID].tolist() == [first, second]
    assert act.loc[1, schema.FAMILY] == "Alpha"  # filled in from the SKU
    ben = person("Ben", access.DEMAND_PLANNER)
    consensus.withdraw_override(store.as_actor(ben), first, "deal fell through")
    assert override_log.active(store)[schema.OVERRIDE_ID].tolist() == [second]
    hist = override_log.history(store).set_index(schema.OVERRIDE_ID)
    assert hist.loc[first, schema.STATUS] == schema.STATUS_WITHDRAWN
    assert hist.loc[first, schema.WITHDRAWN_BY] == ben.signature == "Ben <ben@example.com>"
    assert hist.loc[first, schema.AUTHOR] == store.actor.signature  # the local user
    assert hist.loc[first, schema.WITHDRAW_NOTE] == "deal fell through"
    assert hist.loc[first, schema.VALUE] == 1000.0  # the original row is intact
    assert hist.loc[second, schema.STATUS] == schema.STATUS_ACTIVE
    assert override_log.counts(store) == (2, 1)
    with pytest.raises(StoreError, match="already withdrawn by Ben"):
        override_log.withdraw(store, first)
    with pytest.raises(StoreError, match="no override #99"):
        override_log.withdraw(store, 99)
    with pytest.raises(access.AccessDenied, match="may not add or withdraw"):
        override_log.withdraw(store.as_actor(person("Vic")), second)
    assert override_log.counts(store) == (2, 1)


def test_overrides_survive_a_restart(store: Store) -> None:
    loaded_store(store)
    store_fake_run(store)
    chen = person("Chen", access.DEMAND_PLANNER)
    oid = consensus.submit_override(store.as_actor(chen), ov(reason="tender won"))
    again = Store(store.path)
    hist = override_log.history(again)
    assert hist[schema.OVERRIDE_ID].tolist() == [oid]
    assert (hist.loc[0, schema.REASON], hist.loc[0, schema.AUTHOR]) == (
        "tender won",
        chen.signature,
    )
    assert hist.loc[0, schema.START_MONTH] == M1 and hist.loc[0, schema.END_MONTH] == M2
    assert pd.notna(hist.loc[0, schema.CREATED_AT])


def test_two_writers_at_once_both_land(store: Store) -> None:
    loaded_store(store)
    store_fake_run(store)
    barrier, ids, errors = threading.Barrier(2), [], []

    def write(author: str) -> None:
        try:
            barrier.wait()
            # the same selection and months: both planners said "stack" (see test_stacking)
            who = Store(store.path, person(author, access.DEMAND_PLANNER))
            ids.append(consensus.submit_override(who, ov(), stack=True))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(a,)) for a in ("Ana", "Ben")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(set(ids)) == 2
    assert set(override_log.history(store)[schema.AUTHOR]) == {
        "Ana <ana@example.com>",
        "Ben <ben@example.com>",
    }


def test_consensus_levels_add_up_after_overrides(store: Store) -> None:
    loaded_store(store)
    store_fake_run(store)
    consensus.submit_override(store, ov(value=1234.0))
    consensus.submit_override(
        store,
        ov(overrides.LEVEL_SKU_REGION, overrides.KIND_PCT, 50.0, sku="B1", region="North", end=M3),
    )
    plan = consensus.consensus(store, consensus.context(store))
    by_sku = plan.groupby([schema.MONTH, schema.SKU])[schema.UNITS].sum()
    by_fam = plan.groupby([schema.MONTH, schema.FAMILY])[schema.UNITS].sum()
    fam_of = PRODUCTS.set_index(schema.SKU)[schema.FAMILY]
    rolled = by_sku.groupby(
        [by_sku.index.get_level_values(0), by_sku.index.get_level_values(1).map(fam_of)]
    ).sum()
    np.testing.assert_allclose(rolled.sort_index().to_numpy(), by_fam.sort_index().to_numpy())
    assert by_fam.loc[(M1, "Alpha")] == pytest.approx(1234.0)
    assert by_fam.loc[(M3, "Beta")] == pytest.approx(300.0)
    assert plan[schema.UNITS].sum() == pytest.approx(by_fam.sum())
