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
        "Binds in 2 months. Shut in Nov 2026: reopening it is the lever. In Jan 2027, one "
        "more hour is worth up to €1,316: +10 % hours there adds up to "
        f"{fmt.money(1316.375236 * 28.56)}."
    )
    assert rows["R2 (Crew)"] == (
        "Binds in 1 month. One more hour is worth up to €4.63: +10 % hours there adds up to €46."
    )
    only_shut = PlanResult(OPTIMAL, "test", SupplyPolicy(), bottlenecks=frame.iloc[:1])
    (row,) = risks.bottlenecks(only_shut, "EUR")
    assert row["what"] == "Binds in 1 month. Shut in Nov 2026: reopening it is the lever."
    assert row["money"] == 0.0  # dropped by `ranked`: nothing to add at +10 %


def test_the_service_rate_covers_the_months_the_item_shows(shut) -> None:
    tables, ev = shut
    (row,) = risks.service_gaps(ev.plan, tables[schema.PRODUCTS], "EUR", 0.95)
    fp = ev.plan.family_plan[ev.plan.family_plan[schema.FAMILY] == row["subject"]]
    assert row["when"] == "Aug 2026 – Sep 2026"
    months = pd.to_datetime(fp[schema.MONTH])
    window = fp[(months >= "2026-08-01") & (months <= "2026-09-01")]
    inside = service.plan_service(window)["on_time_rate"]
    whole = service.plan_service(fp)["on_time_rate"]
    assert abs(inside - whole) > 0.05  # the two rates read differently
    assert row["what"].startswith(
        f"Beta delivers {fmt.pct(inside)} of its orders on time over Aug 2026 to Sep 2026, "
        f"when they run late ({fmt.pct(whole)} over the whole plan, under the 95.0 % "
        "target): "
    )
