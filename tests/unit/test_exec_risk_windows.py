"""Executive risks whose figures must cover the months they name.

A planner review (demand +30 %, RS-ASM1 shut Nov 2026 - Mar 2027, overtime off) found:
- "RS-ASM1 · Nov '26 – Apr '28: Binds in 9 months; one more hour is worth up to
  €2,034.45: +10 % hours there adds up to €142k": the €2,034 came from a shut month,
  where +10 % of 0 hours adds nothing, while all of the €142k came from Jan-Apr 2028;
  and the price was formatted by hand.
- "Service under target: Cooling · Aug '27 – Feb '28" said 37.2 % on time: the whole
  plan's rate; over Aug-Feb it was 23 %.

On the tiny data: line L2 shut Jan-Mar 2026 and 40 % more demand, no overtime or
subcontracting, so L2 binds every month, shut or not, and Beta runs late in Aug-Sep.
"""

from __future__ import annotations

import pandas as pd
import pytest
from supply_helpers import tiny_with_consensus

from sop.core import fmt, schema
from sop.executive import risks
from sop.scenario.evaluate import evaluate, prepare_demand
from sop.scenario.levers import Levers
from sop.supply import explain, service
from sop.supply.plan import OPTIMAL, PlanResult
from sop.supply.policy import SupplyPolicy

SHUT = (("L2", "2026-01", "2026-03", -100.0),)


@pytest.fixture(scope="module")
def shut():
    tables, demand = tiny_with_consensus(12)
    lv = Levers(
        demand_pct=40.0, capacity_changes=SHUT, overtime_allowed=False, subcontract_allowed=False
    )
    ev = evaluate(prepare_demand(demand), tables, lv, SupplyPolicy(horizon=12))
    assert ev.ok
    return tables, ev


def _l2(ev) -> dict:
    return next(r for r in risks.bottlenecks(ev.plan, "EUR") if r["subject"].startswith("L2"))


def test_a_shut_line_is_named_and_its_price_comes_from_the_open_months(shut) -> None:
    _, ev = shut
    b = ev.plan.bottlenecks
    b = b[b["resource"] == "L2"]
    closed, open_ = b[b["limit"] < 0.5], b[b["limit"] >= 0.5]
    # the situation of the review: it binds while shut, at a higher price than when open
    assert len(closed) == 3 and len(open_) == 9
    assert closed["shadow_price"].max() > open_["shadow_price"].max()
    row = _l2(ev)
    what = row["what"]
    assert "Shut in Jan 2026 to Mar 2026: reopening it is the lever." in what
    # the top price and the sum both from the months where 10 % more adds something
    top = explain.money(float(open_["shadow_price"].max()), "EUR")
    added = float((open_["shadow_price"] * 0.1 * open_["limit"]).sum())
    assert row["money"] == pytest.approx(added)
    assert (
        f"In Apr 2026 to Dec 2026, one more hour is worth up to "
        f"{top}: +10 % hours there adds up to {fmt.money(added, 'EUR')}." in what
    )
    shut_top = explain.money(float(closed["shadow_price"].max()), "EUR")
    assert shut_top != top and shut_top not in what
    assert row["when"] == "Jan 2026 – Dec 2026"  # every month it binds


def test_bottleneck_prices_are_money_as_the_app_writes_it() -> None:
    """€2,034.45 was formatted by hand; a large unit price reads €2,034 (`fmt.money`),
    a small one keeps its cents (€4.63), and a line shut in every month it binds has
    no price to give, only its lever."""
    months = pd.date_range("2026-11-01", periods=3, freq="MS")
    frame = pd.DataFrame(
        {
            "constraint": "capacity",
            "resource": ["R1", "R1", "R2"],
            "name": ["Assembly", "Assembly", "Crew"],
            "plant": "P",
            "month": [months[0], months[2], months[1]],
            "shadow_price": [2034.447759, 1316.375236, 4.6311],
            "per": "hour",
            "used": [0.0, 285.6, 100.0],
            "limit": [0.0, 285.6, 100.0],
        }
    )
    plan = PlanResult(OPTIMAL, "test", SupplyPolicy(), bottlenecks=frame)
    rows = {r["subject"]: r["what"] for r in risks.bottlenecks(plan, "EUR")}
    assert rows["R1 (Assembly)"] == (
        "Binds in 1 open month (+1 shut). Shut in Nov 2026: reopening it is the lever. In Jan "
        "2027, one "
        "more hour is worth up to €1,316: +10 % hours there adds up to "
        f"{fmt.money(1316.375236 * 28.56)}."
    )
    assert rows["R2 (Crew)"] == (
        "Binds in 1 month. One more hour is worth up to €4.63: +10 % hours there adds up to €46."
    )
    only_shut = PlanResult(OPTIMAL, "test", SupplyPolicy(), bottlenecks=frame.iloc[:1])
    (row,) = risks.bottlenecks(only_shut, "EUR")
    assert row["what"] == (
        "Binds only while shut (1 month). Shut in Nov 2026: reopening it is the lever."
    )
    assert row["money"] == 0.0  # dropped by `ranked`: nothing to add at +10 %


def test_the_service_rate_of_late_months_is_not_quoted_above_the_plans(shut) -> None:
    """Beta loses units while L2 is shut (Jan-Mar) and runs late in Aug-Sep: those two
    months read 95.1 % on time, above even the target, beside 66.0 % over the plan; the
    item quoted the 95.1 % 'when they run late'. It gives the whole plan's alone."""
    tables, ev = shut
    (row,) = risks.service_gaps(ev.plan, tables[schema.PRODUCTS], "EUR", 0.95)
    fp = ev.plan.family_plan[ev.plan.family_plan[schema.FAMILY] == row["subject"]]
    assert row["when"] == "Aug 2026 – Sep 2026"
    months = pd.to_datetime(fp[schema.MONTH])
    window = fp[(months >= "2026-08-01") & (months <= "2026-09-01")]
    inside = service.plan_service(window)["on_time_rate"]
    whole = service.plan_service(fp)["on_time_rate"]
    assert inside > whole + 0.05 and fp["lost_sales"].sum() > 0  # the review's situation
    assert row["what"].startswith(
        f"Beta delivers {fmt.pct(whole)} of its orders on time, under the 95.0 % target: "
    )
    assert fmt.pct(inside) not in row["what"]


def test_a_line_shut_in_some_months_without_a_price_names_its_open_months() -> None:
    """No price loaded (shadow price NaN), the line shut in Nov 2026 and open in Dec-Jan:
    the sentence read only 'Binds in 3 months. Shut in Nov 2026: reopening it is the
    lever.', and said nothing of the two months it binds open."""
    months = pd.date_range("2026-11-01", periods=3, freq="MS")
    frame = pd.DataFrame(
        {
            "constraint": "capacity",
            "resource": "R1",
            "name": "Assembly",
            "plant": "P",
            "month": months,
            "shadow_price": float("nan"),
            "per": "hour",
            "used": [0.0, 285.6, 285.6],
            "limit": [0.0, 285.6, 285.6],
        }
    )
    plan = PlanResult(OPTIMAL, "test", SupplyPolicy(), bottlenecks=frame)
    (row,) = risks.bottlenecks(plan, "EUR")
    assert row["what"] == (
        "Binds in 2 open months (+1 shut). Shut in Nov 2026: reopening it is the lever. In "
        "Dec 2026 to "
        f"Jan 2027, one more hour is worth {explain.NO_PRICE_AMOUNT}."
    )
    assert row["when"] == "Nov 2026 – Jan 2027"
    open_only = PlanResult(OPTIMAL, "test", SupplyPolicy(), bottlenecks=frame.iloc[1:])
    (row,) = risks.bottlenecks(open_only, "EUR")
    assert row["what"] == (f"Binds in 2 months. One more hour is worth {explain.NO_PRICE_AMOUNT}.")


def _cool(demand: list[float], lost: list[float], backlog: list[float]) -> PlanResult:
    """A plan of one family, Cool, over Jan-Apr 2027 (price 50, cost 30 a unit)."""
    d, lo, b = (pd.Series(x, dtype=float) for x in (demand, lost, backlog))
    shipped = d - lo + b.shift(fill_value=0.0) - b
    fp = pd.DataFrame(
        {
            schema.FAMILY: "Cool",
            schema.PLANT: "P",
            schema.MONTH: pd.date_range("2027-01-01", periods=4, freq="MS"),
            "demand": d,
            "lost_sales": lo,
            "backlog": b,
            "shipped": shipped,
            "revenue": 50.0 * shipped,
            "standard_cogs": 30.0 * shipped,
        }
    )
    return PlanResult(OPTIMAL, "test", SupplyPolicy(), family_plan=fp)


COOL = pd.DataFrame(
    {
        schema.SKU: ["C1"],
        schema.NAME: ["Cooler"],
        schema.FAMILY: ["Cool"],
        schema.LIST_PRICE: [50.0],
        schema.MATERIAL_COST: [30.0],
    }
)


def test_units_lost_outside_the_late_months_keep_the_whole_plans_rate() -> None:
    """The severe squeeze read 'Cooling delivers 68.2 % of its orders on time over Dec
    2027 to Mar 2028, when they run late (59.9 % over the whole plan, ...)': its lost
    units fall outside the months with backlog, so those months read better than the
    plan. Here Cool loses 150 of its 200 units in Jan 2027 and owes 10 at the end of
    Mar: 90 % on time in Mar, 68 % over the plan; the item gives the 68 % alone."""
    (row,) = risks.service_gaps(
        _cool([200, 100, 100, 100], [150, 0, 0, 0], [0, 0, 10, 0]), COOL, "EUR", 0.95
    )
    assert row["when"] == "Mar 2027"
    assert row["what"] == (
        "Cool delivers 68.0 % of its orders on time, under the 95.0 % target: 10 units "
        "(€500 of revenue) ship after the month ordered (10 unit-months late). At stake: "
        "their margin (€20 a unit) if those orders cancel."
    )


def test_the_late_months_rate_is_quoted_when_it_reads_lower() -> None:
    """Cool owes 50 units at the end of Feb 2027 and loses none: 50 % on time in Feb,
    87.5 % over the plan; the item gives both, the plan's against the target."""
    (row,) = risks.service_gaps(
        _cool([100, 100, 100, 100], [0, 0, 0, 0], [0, 50, 0, 0]), COOL, "EUR", 0.95
    )
    assert row["when"] == "Feb 2027"
    assert row["what"].startswith(
        "Cool delivers 50.0 % of its orders on time over Feb 2027, when they run late "
        "(87.5 % over the whole plan, under the 95.0 % target): 50 units "
    )
