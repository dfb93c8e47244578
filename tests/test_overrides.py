"""Consensus overrides: spreading, combining, withdrawing, audit history, bad input."""
from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest

from conftest import tiny_tables
from demand_helpers import MONTHS, P50, fake_values, loaded_store, store_fake_run
from sop import consensus as C
from sop import overrides as O
from sop import schema as S
from sop.store import Store, StoreError
from sop.store import overrides as OS

PRODUCTS = tiny_tables()[S.PRODUCTS]
M1, M2, M3 = MONTHS[0], MONTHS[1], MONTHS[2]


def ov(level: str = O.LEVEL_FAMILY, kind: str = O.KIND_UNITS, value: float = 1000.0,
       start: pd.Timestamp = M1, end: pd.Timestamp = M2, **kw) -> O.Override:
    base = dict(family="Alpha" if level == O.LEVEL_FAMILY else None, reason="key account win",
                author="Ana")
    base.update(kw)
    return O.Override(level=level, start_month=start, end_month=end, kind=kind, value=value,
                      **base)


def frame(*overrides: O.Override) -> pd.DataFrame:
    rows = [{O.OVERRIDE_ID: i + 1, O.CREATED_AT: pd.Timestamp("2026-01-01"),
             O.AUTHOR: o.author, O.REASON: o.reason, O.LEVEL: o.level,
             S.FAMILY: O.normalise(o, PRODUCTS).family, S.SKU: o.sku, S.REGION: o.region,
             S.START_MONTH: o.start_month, S.END_MONTH: o.end_month, S.KIND: o.kind,
             O.VALUE: o.value} for i, o in enumerate(overrides)]
    return pd.DataFrame(rows, columns=O.OVERRIDE_COLUMNS)


def cell(df: pd.DataFrame, sku: str, region: str, month: pd.Timestamp, col: str = S.UNITS):
    r = df[(df[S.SKU] == sku) & (df[S.REGION] == region) & (df[S.MONTH] == month)]
    assert len(r) == 1
    return float(r[col].iloc[0])


def apply(*overrides: O.Override) -> pd.DataFrame:
    return O.apply_overrides(fake_values(), PRODUCTS, frame(*overrides))


def test_no_overrides_is_the_forecast() -> None:
    out = apply()
    assert (out[S.UNITS] == out[S.FORECAST_UNITS]).all()
    assert set(out[S.SOURCE]) == {"forecast"}


def test_family_quantity_spreads_to_skus_and_regions_in_proportion() -> None:
    out = apply(ov(value=1000.0))
    alpha = 100 + 300 + 50 + 50
    for m in (M1, M2):
        fam = out[(out[S.FAMILY] == "Alpha") & (out[S.MONTH] == m)]
        assert fam[S.UNITS].sum() == pytest.approx(1000.0)
        for (sku, region), v in P50.items():
            if sku.startswith("A"):
                assert cell(out, sku, region, m) == pytest.approx(1000.0 * v / alpha)
    assert cell(out, "A1", "South", M3) == 300.0          # outside the range
    assert cell(out, "B1", "North", M1) == 200.0          # other family
    touched = out[out[S.SOURCE] == "forecast + override"]
    assert set(touched[S.FAMILY]) == {"Alpha"} and set(touched[S.MONTH]) == {M1, M2}


def test_family_percentage_scales_every_cell_and_moves_the_band() -> None:
    out = apply(ov(kind=O.KIND_PCT, value=-25.0, end=M1))
    assert cell(out, "A1", "South", M1) == pytest.approx(225.0)
    assert cell(out, "A1", "South", M1, S.P10) == pytest.approx(0.8 * 225.0)
    assert cell(out, "A1", "South", M1, S.P90) == pytest.approx(1.3 * 225.0)
    assert cell(out, "A1", "South", M1, S.FORECAST_UNITS) == 300.0


def test_sku_quantity_spreads_over_its_regions() -> None:
    out = apply(ov(O.LEVEL_SKU, value=800.0, sku="A1"))
    assert cell(out, "A1", "North", M1) == pytest.approx(200.0)
    assert cell(out, "A1", "South", M1) == pytest.approx(600.0)
    assert cell(out, "A2", "North", M1) == 50.0


def test_sku_region_percentage_changes_one_cell() -> None:
    out = apply(ov(O.LEVEL_SKU_REGION, O.KIND_PCT, 10.0, sku="A2", region="South"))
    assert cell(out, "A2", "South", M1) == pytest.approx(55.0)
    assert cell(out, "A2", "North", M1) == 50.0


def test_quantity_on_a_zero_forecast_spreads_evenly_and_shifts_the_band() -> None:
    out = apply(ov(O.LEVEL_SKU_REGION, value=40.0, sku="B1", region="South"))
    assert cell(out, "B1", "South", M1) == 40.0
    assert cell(out, "B1", "South", M1, S.P10) == 40.0    # zero-width band shifted up
    out = apply(ov(O.LEVEL_SKU, value=300.0, sku="B1"))
    assert cell(out, "B1", "North", M1) == pytest.approx(300.0)   # all of it where P50 > 0
    assert cell(out, "B1", "South", M1) == pytest.approx(0.0)


def test_overlapping_overrides_combine_in_creation_order() -> None:
    qty, pct = ov(value=1000.0), ov(kind=O.KIND_PCT, value=10.0)
    first_qty = apply(qty, pct)
    first_pct = apply(pct, qty)
    alpha = lambda df: df[(df[S.FAMILY] == "Alpha") & (df[S.MONTH] == M1)][S.UNITS].sum()
    assert alpha(first_qty) == pytest.approx(1100.0)     # set to 1000, then +10 %
    assert alpha(first_pct) == pytest.approx(1000.0)     # +10 %, then reset to 1000
    # a later SKU override on top of a family quantity changes the family total
    then_sku = apply(qty, ov(O.LEVEL_SKU, value=0.0, sku="A2"))
    assert alpha(then_sku) == pytest.approx(1000.0 * 400 / 500)
    assert cell(then_sku, "A2", "North", M1) == 0.0


def test_override_outside_the_forecast_changes_nothing() -> None:
    late = MONTHS[-1] + pd.DateOffset(months=3)
    out = apply(ov(start=late, end=late))
    assert (out[S.UNITS] == out[S.FORECAST_UNITS]).all()


@pytest.mark.parametrize("bad, expect", [
    (dict(kind=O.KIND_UNITS, value=-5.0), "cannot be negative"),
    (dict(kind=O.KIND_PCT, value=-150.0), "lowest is -100"),
    (dict(kind=O.KIND_PCT, value=0.0), "leaves the forecast as it is"),
    (dict(reason="  "), "Enter a reason"),
    (dict(author=""), "Enter your name"),
    (dict(start=M3, end=M1), "before the start month"),
    (dict(level=O.LEVEL_SKU, sku="ZZ-9"), "Unknown SKU 'ZZ-9'"),
    (dict(level=O.LEVEL_FAMILY, family="Gamma"), "Unknown family 'Gamma'"),
    (dict(level=O.LEVEL_SKU_REGION, sku="A1", region="Mars"), "Unknown region 'Mars'"),
    (dict(value=float("nan")), "Enter a number"),
    (dict(start=pd.Timestamp("2024-01-01"), end=pd.Timestamp("2024-03-01")), "actuals"),
])
def test_bad_input_is_rejected_with_a_clear_message_and_stores_nothing(
        store: Store, bad: dict, expect: str) -> None:
    loaded_store(store)
    store_fake_run(store)
    before = OS.counts(store)
    with pytest.raises(O.OverrideRejected) as err:
        C.submit_override(store, ov(**bad))
    assert any(expect in p for p in err.value.problems), err.value.problems
    assert OS.counts(store) == before


def test_several_problems_are_reported_together() -> None:
    problems = O.check_override(ov(value=-1.0, reason="", author=""), PRODUCTS, ["North"])
    assert len(problems) == 3


def test_submit_withdraw_and_the_append_only_history(store: Store) -> None:
    loaded_store(store)
    store_fake_run(store)
    first = C.submit_override(store, ov(value=1000.0))
    second = C.submit_override(store, ov(O.LEVEL_SKU, O.KIND_PCT, 20.0, sku=" A1".strip()))
    assert second > first
    act = OS.active(store)
    assert act[O.OVERRIDE_ID].tolist() == [first, second]
    assert act.loc[1, S.FAMILY] == "Alpha"                # filled in from the SKU
    C.withdraw_override(store, first, "Ben", "deal fell through")
    assert OS.active(store)[O.OVERRIDE_ID].tolist() == [second]
    hist = OS.history(store).set_index(O.OVERRIDE_ID)
    assert hist.loc[first, O.STATUS] == O.STATUS_WITHDRAWN
    assert hist.loc[first, O.WITHDRAWN_BY] == "Ben"
    assert hist.loc[first, O.WITHDRAW_NOTE] == "deal fell through"
    assert hist.loc[first, O.VALUE] == 1000.0             # the original row is intact
    assert hist.loc[second, O.STATUS] == O.STATUS_ACTIVE
    assert OS.counts(store) == (2, 1)
    with pytest.raises(StoreError, match="already withdrawn by Ben"):
        OS.withdraw(store, first, "Ana")
    with pytest.raises(StoreError, match="no override #99"):
        OS.withdraw(store, 99, "Ana")
    with pytest.raises(StoreError, match="Enter your name"):
        OS.withdraw(store, second, " ")
    assert OS.counts(store) == (2, 1)


def test_overrides_survive_a_restart(store: Store) -> None:
    loaded_store(store)
    store_fake_run(store)
    oid = C.submit_override(store, ov(reason="tender won", author="Chen"))
    again = Store(store.path)
    hist = OS.history(again)
    assert hist[O.OVERRIDE_ID].tolist() == [oid]
    assert (hist.loc[0, O.REASON], hist.loc[0, O.AUTHOR]) == ("tender won", "Chen")
    assert hist.loc[0, S.START_MONTH] == M1 and hist.loc[0, S.END_MONTH] == M2
    assert pd.notna(hist.loc[0, O.CREATED_AT])


def test_two_writers_at_once_both_land(store: Store) -> None:
    loaded_store(store)
    store_fake_run(store)
    barrier, ids, errors = threading.Barrier(2), [], []

    def write(author: str) -> None:
        try:
            barrier.wait()
            ids.append(C.submit_override(Store(store.path), ov(author=author)))
        except Exception as exc:   # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(a,)) for a in ("Ana", "Ben")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(set(ids)) == 2
    assert set(OS.history(store)[O.AUTHOR]) == {"Ana", "Ben"}


def test_consensus_levels_add_up_after_overrides(store: Store) -> None:
    loaded_store(store)
    store_fake_run(store)
    C.submit_override(store, ov(value=1234.0))
    C.submit_override(store, ov(O.LEVEL_SKU_REGION, O.KIND_PCT, 50.0, sku="B1",
                                region="North", end=M3))
    plan = C.consensus(store, C.context(store))
    by_sku = plan.groupby([S.MONTH, S.SKU])[S.UNITS].sum()
    by_fam = plan.groupby([S.MONTH, S.FAMILY])[S.UNITS].sum()
    fam_of = PRODUCTS.set_index(S.SKU)[S.FAMILY]
    rolled = by_sku.groupby([by_sku.index.get_level_values(0),
                             by_sku.index.get_level_values(1).map(fam_of)]).sum()
    np.testing.assert_allclose(rolled.sort_index().to_numpy(), by_fam.sort_index().to_numpy())
    assert by_fam.loc[(M1, "Alpha")] == pytest.approx(1234.0)
    assert by_fam.loc[(M3, "Beta")] == pytest.approx(300.0)
    assert plan[S.UNITS].sum() == pytest.approx(by_fam.sum())
