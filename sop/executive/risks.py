"""Top risks and opportunities of a plan, ranked by money (gross margin at stake).

Five kinds of item, each valued in the dataset's currency:
- Demand-supply gaps (per family): lost sales at the family's margin per unit (the
  plan's price less its cost of goods per unit), the cost of late deliveries
  (backlog), and the worst month's stock below safety stock at that margin (margin
  exposed if demand comes in high).
- Service under target (per family): an on-time fill rate (`sop.supply.service`)
  under the plan setting `on_time_target_pct`; at stake, the margin of the units
  ordered and not delivered in their month (units late x the family's margin per
  unit), lost if those orders cancel. Its sentence gives the on-time rate over the
  months it shows (first to last month with orders owed) beside the whole plan's
  when it reads lower (`risk_text.window_rate`). It replaces the family's
  backlog-cost item.
- Bottlenecks (per line or capped supply): what 10 % more of it would add in the
  months it binds, at its shadow price (shadow price x 10 % of the limit, summed;
  an upper bound, as the shadow price holds for small changes). Months it is shut
  (a limit of 0: 10 % more of nothing adds nothing) are named apart, and the top
  shadow price is taken only from the months where more of it adds value
  (`risk_text.bottleneck`).
- Families far from budget (revenue off by `risk_revenue_gap_pct` or gross margin by
  `risk_margin_gap_pct` of the budget or more, over the budget's months; plan
  settings, 2 % by default): the gross margin gap, projection - budget. Where the
  revenue gap is below budget and supply is a real part of it (`sop.finance.view`
  `supply_material`, the Finance Budget tab's and Decisions' rule), the sentence says
  how much is supply and how much demand and price (`view.split_clause`, worded by the plan
  setting `revenue_recognition`).
- Families at risk of stock-out over the horizon, from the plan's risk run
  (`sop.finance.risk`: demand drawn 500 times, each draw re-planned through the plan's
  capacity): the P90 of the units not delivered in the month ordered beyond the plan's
  own, after its stock and spare capacity, in the worst month, at the family's margin
  per unit. None when the plan was evaluated without its risk run.
Risks carry negative money, opportunities positive; the ranking is by size.
"""

from __future__ import annotations

import html
from collections.abc import Collection

import numpy as np
import pandas as pd

from sop.core import fmt, schema
from sop.executive import risk_text
from sop.finance import kpis, statement
from sop.finance import view as finance_view
from sop.finance.risk import Risk
from sop.supply import service
from sop.supply.plan import PlanResult
from sop.supply.policy import RECOGNISE_SHIP, SupplyPolicy

COLUMNS = ["kind", "category", "subject", "when", "money", "what"]
RISK, OPPORTUNITY = "risk", "opportunity"
GAP, BOTTLENECK, BUDGET, STOCKOUT, SERVICE = (
    "Demand-supply gap",
    "Bottleneck",
    "Budget gap",
    "Stock-out risk",
    "Service under target",
)
UPLIFT = 0.10


def when(months: pd.Series | list) -> str:
    """Oct 2026, or Oct 2026 – Jan 2027 for a span."""
    m = pd.to_datetime(pd.Series(months)).dropna()
    if m.empty:
        return ""
    lo, hi = m.min(), m.max()
    return fmt.month(lo) if lo == hi else f"{fmt.month(lo)} – {fmt.month(hi)}"


def _row(kind: str, category: str, subject: str, months, money: float, what: str) -> dict:
    return {
        "kind": kind,
        "category": category,
        "subject": subject,
        "when": when(months),
        "money": float(money),
        "what": what,
    }


def supply_gaps(
    plan: PlanResult, products: pd.DataFrame, currency: str, skip_late: Collection[str] = ()
) -> list[dict]:
    """Lost sales, backlog and stock below safety stock per family (module docstring);
    no backlog item for the families in `skip_late` (their service item says it)."""
    unit = kpis.family_unit_values(plan, products).set_index(schema.FAMILY)
    margin = (unit["price"] - unit["unit_cost"]).clip(lower=0)
    rows = []
    for fam, fp in plan.family_plan.groupby(schema.FAMILY):
        by_m = fp.groupby(schema.MONTH)[
            ["lost_sales", "backlog", "below_safety_stock", "backlog_cost"]
        ].sum()
        m = float(margin.get(fam, 0.0))
        lost = by_m[by_m["lost_sales"] >= 0.5]
        if len(lost):
            units = float(lost["lost_sales"].sum())
            rows.append(
                _row(
                    RISK,
                    GAP,
                    fam,
                    lost.index,
                    -units * m,
                    f"{fmt.units(units)} of {fam} demand not served: "
                    f"{fmt.money(units * unit.at[fam, 'price'], currency)} revenue "
                    "lost.",
                )
            )
        late = by_m[by_m["backlog"] >= 0.5]
        if len(late) and by_m["backlog_cost"].sum() > 0 and fam not in skip_late:
            rows.append(
                _row(
                    RISK,
                    GAP,
                    fam,
                    late.index,
                    -float(by_m["backlog_cost"].sum()),
                    f"{fam} delivers late: up to {fmt.units(late['backlog'].max())} "
                    "in backlog at a month end.",
                )
            )
        below = by_m[by_m["below_safety_stock"] >= 0.5]
        if len(below):
            worst = float(below["below_safety_stock"].max())
            rows.append(
                _row(
                    RISK,
                    GAP,
                    fam,
                    below.index,
                    -worst * m,
                    f"{fam} stock falls below safety stock (by up to "
                    f"{fmt.units(worst)}): margin exposed if demand runs high.",
                )
            )
    return rows


def bottlenecks(plan: PlanResult, currency: str) -> list[dict]:
    """Binding lines and caps, valued at +10 % of their limit (module docstring); a
    month where the line is shut (limit 0) adds nothing and is named apart."""
    b = plan.bottlenecks
    if b.empty:
        return []
    b = b.assign(value=b["shadow_price"] * UPLIFT * b["limit"].astype(float))
    rows = []
    for (res, name, per), g in b.groupby(["resource", "name", "per"], sort=False):
        rows.append(
            _row(
                OPPORTUNITY,
                BOTTLENECK,
                f"{res} ({name})",
                g["month"],
                float(g["value"].sum()),
                risk_text.bottleneck(g, per, currency),
            )
        )
    return rows


def service_gaps(
    plan: PlanResult, products: pd.DataFrame, currency: str, target: float
) -> list[dict]:
    """Families whose on-time fill rate is under `target` (a fraction), at the margin
    of their late units (module docstring)."""
    unit = kpis.family_unit_values(plan, products).set_index(schema.FAMILY)
    margin = (unit["price"] - unit["unit_cost"]).clip(lower=0)
    rows = []
    for fam, fp in plan.family_plan.groupby(schema.FAMILY):
        k = service.plan_service(fp)
        if not k["on_time_rate"] < target:  # NaN (nothing ordered) is no risk
            continue
        late = k["demand_units"] - k["lost_units"] - k["on_time_units"]
        m = float(margin.get(fam, 0.0))
        owed = fp.groupby(schema.MONTH)["backlog"].sum()
        owing = owed.index[owed.to_numpy() >= 0.5]
        rows.append(
            _row(
                RISK,
                SERVICE,
                fam,
                owing,
                -late * m,
                f"{fam} delivers {risk_text.window_rate(fp, owing, k['on_time_rate'], target)}: "
                f"{fmt.units(late)} ({fmt.money(late * unit.at[fam, 'price'], currency)} of "
                "revenue) ship after the month ordered "
                f"({fmt.units(k['late_unit_months'], 'unit-months')} late). At stake: their "
                f"margin ({fmt.money(m, currency)} a unit) if those orders cancel.",
            )
        )
    return rows


def _off(gap: float, budget: float, threshold: float) -> bool:
    return abs(budget) > 1e-9 and abs(gap) >= threshold * abs(budget)


def budget_gaps(
    pnl: pd.DataFrame,
    budget: pd.DataFrame | None,
    currency: str,
    revenue_pct: float = 2.0,
    margin_pct: float = 2.0,
    recognition: str = RECOGNISE_SHIP,
) -> list[dict]:
    """Families whose revenue is off budget by `revenue_pct` % or more, or whose gross
    margin is off it by `margin_pct` % or more (plan settings `risk_revenue_gap_pct`,
    `risk_margin_gap_pct`), valued at the margin gap. A revenue gap supply is a real
    part of is split into supply and demand-and-price (module docstring), its cause worded by
    `recognition` (the plan setting `revenue_recognition` of the books in `pnl`)."""
    if budget is None or budget.empty or pnl.empty:
        return []
    vb = statement.versus_budget(pnl, budget)
    rows = []
    for fam, g in vb.groupby(schema.FAMILY):
        bud, gap = float(g["budget_revenue"].sum()), float(g["revenue_gap"].sum())
        mbud, mgap = float(g["budget_margin"].sum()), float(g["margin_gap"].sum())
        demand, supply = (float(g[c].sum(min_count=1)) for c in ("demand_gap", "supply_gap"))
        revenue_off = bud > 0 and _off(gap, bud, revenue_pct / 100)
        last = g[schema.MONTH].max()  # "shipped after Dec 2027": the family's months
        clause = finance_view.split_clause(gap, demand, supply, currency, recognition, last)
        if not (revenue_off or _off(mgap, mbud, margin_pct / 100)):
            continue
        rev = (
            f"revenue {'above' if gap > 0 else 'below'} budget by "
            f"{fmt.money(abs(gap), currency)} ({fmt.pct(abs(gap) / bud)})"
            f"{clause or ''}"
            if bud > 0
            else "no budget revenue"
        )
        share = f" ({fmt.pct(abs(mgap) / abs(mbud))})" if abs(mbud) > 1e-9 else ""
        rows.append(
            _row(
                OPPORTUNITY if mgap > 0 else RISK,
                BUDGET,
                fam,
                g[schema.MONTH],
                mgap,
                f"{fam} {rev}"
                f"{';' if (gap > 0) == (mgap > 0) else ' but'} margin "
                f"{'above' if mgap > 0 else 'below'} it by "
                f"{fmt.money(abs(mgap), currency)}"
                f"{share if not revenue_off else ''}.",
            )
        )
    return rows


def stockouts(
    plan: PlanResult,
    short: pd.DataFrame | None,
    n_paths: int,
    products: pd.DataFrame,
    currency: str,
    top: int = 5,
) -> list[dict]:
    """Families at risk of stock-out over the plan's horizon, read from the demand
    paths re-planned through the plan's capacity (`sop.finance.risk`:
    `short`, family x month, with short_share and short_p90 of `n_paths` paths): where
    the P90 path leaves half a unit or more undelivered in the month ordered beyond the
    plan's own, after the plan's stock and spare capacity. At stake: those units in the
    worst month at the family's margin per unit. None without a run."""
    if short is None or short.empty or not n_paths:
        return []
    at_risk = short[short["short_p90"] >= 0.5]
    if at_risk.empty:
        return []
    unit = kpis.family_unit_values(plan, products).set_index(schema.FAMILY)
    margin = (unit["price"] - unit["unit_cost"]).clip(lower=0)
    at_risk = at_risk.assign(
        value=at_risk["short_p90"] * at_risk[schema.FAMILY].map(margin).fillna(0.0)
    )
    rows = []
    for fam, g in at_risk.groupby(schema.FAMILY, sort=False):
        w = g.loc[g["value"].idxmax()]
        n_short = round(float(w["short_share"]) * n_paths)
        rows.append(
            _row(
                RISK,
                STOCKOUT,
                str(fam),
                g[schema.MONTH],
                -float(w["value"]),
                f"If demand runs high: in {n_short} of {n_paths} demand outcomes "
                "re-planned through the plan's capacity, "
                f"{fmt.month(w[schema.MONTH])} orders outrun its stock and spare capacity; "
                f"at P90, {fmt.units(w['short_p90'])} more than planned ship late or are "
                "lost that month.",
            )
        )
    rows.sort(key=lambda r: r["money"])
    return rows[:top]


def ranked(
    plan: PlanResult,
    pnl: pd.DataFrame,
    budget: pd.DataFrame | None,
    products: pd.DataFrame,
    currency: str,
    policy: SupplyPolicy | None = None,
    risk: Risk | None = None,
) -> pd.DataFrame:
    """Every risk and opportunity, largest money first, with the thresholds of `policy`
    (default `SupplyPolicy()`). Columns `COLUMNS`: kind (risk / opportunity), category,
    subject, when (months), money (signed margin at stake), what (a sentence)."""
    if not plan.ok:
        return pd.DataFrame(columns=COLUMNS)
    policy = policy or SupplyPolicy()
    service = service_gaps(plan, products, currency, policy.on_time_target_pct / 100)
    rows = (
        service
        + supply_gaps(plan, products, currency, {r["subject"] for r in service})
        + bottlenecks(plan, currency)
        + budget_gaps(
            pnl,
            budget,
            currency,
            policy.risk_revenue_gap_pct,
            policy.risk_margin_gap_pct,
            plan.policy.revenue_recognition,
        )
        + stockouts(
            plan, risk.short if risk else None, risk.n_paths if risk else 0, products, currency
        )
    )
    out = pd.DataFrame(rows, columns=COLUMNS)
    out = out[out["money"].abs() >= 1.0]
    return out.iloc[np.argsort(-out["money"].abs().to_numpy(), kind="stable")].reset_index(
        drop=True
    )


def _shown(items: pd.DataFrame, n: int, per_category: int) -> pd.Index:
    keep = items.groupby("category", sort=False).cumcount() < per_category
    return items.index[keep.to_numpy()][:n]


def top(items: pd.DataFrame, n: int = 8, per_category: int = 3) -> pd.DataFrame:
    """The `n` largest items, at most `per_category` of each category (so one kind of
    item does not fill the screen)."""
    return items.loc[_shown(items, n, per_category)].reset_index(drop=True)


# a category's items counted in words: (one, several)
COUNTED = {
    GAP: ("demand-supply gap", "demand-supply gaps"),
    BOTTLENECK: ("bottleneck", "bottlenecks"),
    BUDGET: ("budget gap", "budget gaps"),
    STOCKOUT: ("stock-out risk", "stock-out risks"),
    SERVICE: ("family under service target", "families under service target"),
}


def rest_note(items: pd.DataFrame, n: int = 8, per_category: int = 3) -> str | None:
    """What `top` leaves out, counted by category, most first (ties in rank order):
    "5 more (2 stock-out risks, 2 bottlenecks, 1 budget gap) in the meeting pack" (its
    Risks sheet lists them all); None when it shows them all. Review: the Executive
    page's list hid 5 items, a Cooling stock-out risk among them, without a word."""
    rest = items.drop(_shown(items, n, per_category))
    if rest.empty:
        return None
    counts = rest["category"].value_counts(sort=False)  # in rank order of first item
    counts = counts.iloc[np.argsort(-counts.to_numpy(), kind="stable")]
    said = ", ".join(f"{k} {COUNTED.get(c, (c, c))[k > 1]}" for c, k in counts.items())
    return f"{len(rest)} more ({said}) in the meeting pack"


def display(items: pd.DataFrame, currency: str) -> pd.DataFrame:
    """Risks and opportunities as text for a narrow screen table: Item (category:
    subject), At stake (the margin, signed: - a risk, + an opportunity), When (months,
    short years: Nov '26 – Dec '27), Why."""
    return pd.DataFrame(
        {
            "Item": [f"{c}: {s}" for c, s in zip(items["category"], items["subject"])],
            "At stake": [fmt.money_delta(m, currency) for m in items["money"]],
            "When": items["when"]
            .astype(str)
            .str.replace(r"([A-Z][a-z]{2}) \d\d(\d\d)", r"\1 '\2", regex=True),
            "Why": items["what"],
        }
    )


TABLE_CSS = """<style>
.exe-risks{{overflow-y:auto;max-height:{height}px;font-size:{font}px;line-height:1.3}}
.exe-risks table{{border-collapse:collapse;width:100%;margin:0}}
.exe-risks th{{text-align:left;font-weight:600;color:#5A6572;padding:4px 8px;
border-bottom:1px solid #D5DAE1;position:sticky;top:0;background:#fff;white-space:nowrap}}
.exe-risks td{{padding:5px 8px;border-bottom:1px solid #E3E7ED;vertical-align:top}}
.exe-risks td.m{{text-align:right;white-space:nowrap;font-weight:600}}
.exe-risks .risk{{color:#B23A48}} .exe-risks .opportunity{{color:#1E7A46}}
.exe-risks .w{{color:#5A6572;white-space:nowrap}} .exe-risks .y{{color:#3A4450}}
</style>"""


def html_table(items: pd.DataFrame, currency: str, height: int = 300, font_px: int = 13) -> str:
    """The `display` rows as an HTML table whose text wraps (a screen grid cuts long
    sentences): At stake (coloured: red a risk, green an opportunity) and, in one cell,
    the item in bold with its months, then why. Scrolls past `height` px. Every text
    from the data is escaped."""
    d = display(items, currency)
    rows = "".join(
        f'<tr><td class="m {html.escape(k)}">{html.escape(m)}</td><td><b>'
        f'{html.escape(i)}</b> <span class="w">· {html.escape(w)}</span><br>'
        f'<span class="y">{html.escape(y)}</span></td></tr>'
        for k, i, m, w, y in zip(items["kind"], d["Item"], d["At stake"], d["When"], d["Why"])
    )
    return (
        TABLE_CSS.format(height=height, font=font_px) + '<div class="exe-risks" tabindex="0" '
        'role="region" aria-label="Risks and opportunities">'
        '<table><thead><tr><th style="text-align:right">At stake</th><th>Item, when '
        f"and why</th></tr></thead><tbody>{rows}</tbody></table></div>"
    )
