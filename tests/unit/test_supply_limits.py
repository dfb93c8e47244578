"""Limits the data may leave open or short: a subcontract offer without a cap is
unlimited (a material cap without one is a warning), and a capacity calendar that
stops before the plan horizon is named on Data (a warning) and on Supply (a note)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from supply_helpers import one_product, tiny_with_consensus
from tiny import AS_OF, full_calendar, tiny_tables

from sop.core import schema
from sop.core.months import DEFAULT_HORIZON, plan_months
from sop.data.validate import check_tables
from sop.scenario.apply import apply_tables
from sop.scenario.levers import Levers
from sop.supply.plan import solve_plan
from sop.supply.policy import SupplyPolicy

# in-house: material 40 + 1 h at 10 = 50 a unit, 100 units a month; subcontract at 60
DEMAND = [300.0, 300.0]


def _options(kind: str, cap: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            schema.OPTION: ["OPT"],
            schema.OPTION_TYPE: [kind],
            schema.FAMILY: ["Alpha"],
            schema.COST_PER_UNIT: [60.0 if kind == schema.OPTION_SUBCONTRACT else np.nan],
            schema.MONTHLY_CAP_UNITS: [cap],
            schema.START_MONTH: [pd.NaT],
            schema.END_MONTH: [pd.NaT],
        }
    )


def test_a_subcontract_offer_without_a_cap_takes_every_unit_short() -> None:
    tables, demand = one_product(DEMAND, line_hours=100.0, subcontract=(60.0, np.nan))
    r = solve_plan(demand, tables, SupplyPolicy(horizon=2))
    assert r.ok, r.explanation
    fp = r.family_plan
    assert fp["production"].tolist() == pytest.approx([100, 100])
    assert fp["subcontracted"].tolist() == pytest.approx([200, 200])
    assert fp["lost_sales"].sum() == pytest.approx(0)
    assert "subcontract cap" not in set(r.bottlenecks["constraint"])
    tables, demand = one_product(DEMAND, line_hours=100.0, subcontract=(60.0, 50.0))
    capped = solve_plan(demand, tables, SupplyPolicy(horizon=2))
    assert capped.family_plan["subcontracted"].tolist() == pytest.approx([50, 50])
    assert capped.family_plan["lost_sales"].sum() == pytest.approx(300)
    assert "subcontract cap" in set(capped.bottlenecks["constraint"])


def test_the_cap_lever_keeps_an_uncapped_offer_open_unless_it_is_zero() -> None:
    tables, demand = one_product(DEMAND, line_hours=100.0, subcontract=(60.0, np.nan))
    for pct, bought in ((50.0, 400.0), (300.0, 400.0), (0.0, 0.0)):
        t = apply_tables(tables, Levers(subcontract_cap_pct=pct))
        r = solve_plan(demand, t, SupplyPolicy(horizon=2))
        assert r.family_plan["subcontracted"].sum() == pytest.approx(bought), pct
    assert tables[schema.SUPPLY_OPTIONS][schema.MONTHLY_CAP_UNITS].isna().all()  # untouched


def _findings(tables: dict, check: str) -> list:
    return [f for f in check_tables(tables).findings if f.check == check]


def test_a_blank_cap_is_valid_for_subcontracting_and_a_warning_for_a_material_cap() -> None:
    t = tiny_tables()
    t[schema.SUPPLY_OPTIONS] = _options(schema.OPTION_SUBCONTRACT, np.nan)
    report = check_tables(t)
    assert report.ok, [f.message for f in report.errors]
    assert _findings(t, "Material caps have a cap") == []
    t[schema.SUPPLY_OPTIONS] = _options(schema.OPTION_MATERIAL_CAP, np.nan)
    (hit,) = _findings(t, "Material caps have a cap")
    assert hit.severity == "warning" and "limit nothing" in hit.message and "OPT" in hit.message
    assert check_tables(t).ok


def test_a_calendar_shorter_than_the_default_horizon_warns_on_data() -> None:
    t = tiny_tables()  # capacity for the 12 months after the as-of month only
    hits = _findings(t, "Capacity covers the plan horizon")
    assert sorted(h.severity for h in hits) == ["warning", "warning"]  # L1 and L2
    gone = plan_months(AS_OF, DEFAULT_HORIZON)[12:]
    l1 = next(h for h in hits if "line L1" in h.message)
    assert f"{len(gone)} of the {DEFAULT_HORIZON} months" in l1.message
    assert all(f"{m:%Y-%m}" in l1.message for m in gone)
    assert "Add those months" in l1.message and "shorter horizon" in l1.message
    # a calendar covering the whole default horizon raises nothing
    assert _findings(full_calendar(t, DEFAULT_HORIZON), "Capacity covers the plan horizon") == []


def test_the_supply_plan_names_the_months_it_estimated() -> None:
    tables, demand = tiny_with_consensus(DEFAULT_HORIZON)
    r = solve_plan(demand, tables, SupplyPolicy())
    assert r.ok
    notes = [n.text for n in r.notes if "capacity calendar of line L1" in n.text]
    assert len(notes) == 1
    assert "6 plan month(s)" in notes[0] and "2027-06" in notes[0]
    assert "nearest month's hours were used" in notes[0] and "Add those months" in notes[0]
    short = solve_plan(demand, tables, SupplyPolicy(horizon=12))
    assert not any("capacity calendar" in n.text for n in short.notes)
