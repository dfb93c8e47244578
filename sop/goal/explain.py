"""What a goal solve did, in sentences a planner reads in the meeting.

`moves` compares the answer's plan with the starting scenario's: which levers moved
and by how much, the units each family gains (and in which months), and the overtime
and extra line hours added and removed, with the cost of an added overtime hour.
`need_sentences` says the least supplier raise the targets alone need
(`sop.goal.least`). `binding` lists the limits that stop a target, with their shadow
prices.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sop.core import fmt, schema
from sop.goal import least
from sop.scenario import wording
from sop.scenario.evaluate import Evaluation
from sop.scenario.levers import ALL_SUPPLIERS, Levers
from sop.supply.explain import bottlenecks, cap_label
from sop.supply.results import resource_use


@dataclass(frozen=True)
class Binding:
    """A limit that binds: constraint kind, its name, months, and the figure one more
    hour (or unit) of it would add (`per`: hour or unit)."""

    kind: str
    name: str
    first: str
    last: str
    worth: float
    per: str

    def text(self, what: str, money: str) -> str:
        months = self.first if self.first == self.last else f"{self.first} to {self.last}"
        value = f"{money} {self.worth:,.2f}" if money else f"{self.worth:,.4g}"
        return (
            f"{fmt.md(self.name)} ({self.kind}) is full in {months}; one more {self.per} "
            f"there is worth {value} of {what}"
        )


def _months(index: pd.Series) -> tuple[str, str]:
    """The first and last month of `index`, as the app writes months ('Jun 2027')."""
    months = pd.DatetimeIndex(index)
    return fmt.month(months.min()), fmt.month(months.max())


def _span(index: pd.Series) -> str:
    """The months of `index` as the app writes a range of months (`fmt.month_span`:
    'Jun 2027 to Aug 2027', one month alone 'Jun 2027'); months with gaps between them
    are not a range: 'Jan 2027 and Mar 2027', more than three '5 months, Jan 2027 to
    Sep 2027'."""
    months = pd.DatetimeIndex(index).unique().sort_values()
    span = fmt.month_span(months.min(), months.max())
    n = (months.max().year - months.min().year) * 12 + months.max().month - months.min().month + 1
    if len(months) == n:  # every month of the range
        return span
    if len(months) <= 3:  # 'Jan 2027 and Mar 2027'
        return " and ".join(fmt.month(m) for m in months)
    return f"{len(months)} months, {span}"


def binding(inner, big: float, top: int = 3) -> list[Binding]:
    """The limits binding in a solve whose objective is the big penalty on a target's
    slack (`sop.goal.model.best_reachable`): shadow price / big = the target's figure
    one more hour or unit adds. Grouped per limit over its months, largest first."""
    ru = resource_use(inner.inp, inner.sol, inner.policy)
    frame = bottlenecks(inner.inp, inner.sol, ru, inner.policy)
    if frame.empty:
        return []
    frame = frame.assign(worth=frame["shadow_price"].astype(float) / big)
    # below a cent (or a hundredth of a unit) an hour is the margin's own shadow price
    # over the big penalty, not the target's
    frame = frame[frame["worth"] > 0.01]
    out = []
    for (kind, name), g in frame.groupby(["constraint", "resource"], sort=False):
        first, last = _months(g[schema.MONTH])
        out.append(
            Binding(
                str(kind), str(name), first, last, float(g["worth"].max()), str(g["per"].iloc[0])
            )
        )
    return sorted(out, key=lambda b: -b.worth)[:top]


def _lever_moves(
    start: Levers, answer: Levers, money: str, cap_names: Mapping[str, str] | None
) -> list[str]:
    out = []
    # a switch the answer turns (the starting scenario had overtime off, say): said
    # first, since a cap moving alone would hide that the lever is on again
    for name in ("overtime_allowed", "subcontract_allowed", "hiring_allowed"):
        a, b = getattr(start, name), getattr(answer, name)
        if a != b:  # the scenario's own words for the lever (`wording.LABELS`)
            label = wording.LABELS[name].capitalize()
            out.append(f"{label}: {'on' if a else 'off'} -> {'on' if b else 'off'}")
    pct = {
        "overtime_cap_pct": "Overtime caps",
        "subcontract_cap_pct": "Subcontract caps",
    }
    for name, label in pct.items():
        a, b = getattr(start, name), getattr(answer, name)
        if abs(a - b) > 0.05:
            out.append(f"{label}: {a:.0f} % -> {b:.0f} % of today's")
    out += supplier_moves(start, answer, cap_names)
    if abs(start.hiring_limit - answer.hiring_limit) > 1e-6:
        out.append(f"Hires per month per labour pool: at most {answer.hiring_limit:,.1f}")
    if abs(start.safety_stock_months - answer.safety_stock_months) > 1e-6:
        out.append(f"Safety stock: {answer.safety_stock_months:.2f} months of cover")
    promo = ("promo_family", "promo_start", "promo_months", "promo_uplift_pct", "promo_cost")
    if any(getattr(start, k) != getattr(answer, k) for k in promo):
        if answer.promo_family:
            out.append(
                f"Promotion on {fmt.md(answer.promo_family)} from {answer.promo_start} for "
                f"{answer.promo_months} month(s): demand +{answer.promo_uplift_pct:g} %, "
                f"cost {money} {answer.promo_cost:,.0f} a month".replace("  ", " ")
            )
        else:
            out.append("No promotion: the starting scenario's promotion is dropped")
    p0, p1 = dict(start.price_family_pct), dict(answer.price_family_pct)
    for fam in sorted(p0.keys() | p1.keys()):
        if abs(p0.get(fam, 0) - p1.get(fam, 0)) > 1e-9:
            out.append(f"Price of {fmt.md(fam)}: {p1.get(fam, 0):+.1f} %")
    return out


def supplier_moves(
    start: Levers, answer: Levers, cap_names: Mapping[str, str] | None = None
) -> list[str]:
    """The supplier changes the answer adds to the starting scenario's, in words:
    'Supplier cap CAP-CL-MOTOR · Cooling material cap +35.2 % Dec 2026 to May 2027' (%
    of today's cap; months as the 'Solved from' line says them, `wording.moved_text`;
    `cap_names`: code -> name, `sop.supply.explain.cap_names`; the code alone without
    it), 'Every supplier cap ...' for a change of all of them."""
    out = []
    for name, a, b, pct in answer.supplier_changes:
        if (name, a, b, pct) in start.supplier_changes:
            continue
        cap = wording.supplier_text(name, cap_names)
        out.append(f"{fmt.md(cap[:1].upper() + cap[1:])} {pct:+,.1f} % {fmt.month_span(a, b)}")
    return out


def need_sentences(need: least.Need, cap_names: Mapping[str, str] | None = None) -> str:
    """The least supplier raise the targets alone need (`sop.goal.least`) in words, as
    Markdown (names escaped): 'The targets alone need supplier caps +52.5 % (CAP-CL-MOTOR
    · Cooling material cap) over the plan's months, Nov 2026 to Apr 2028; per cap, that
    plan needs CAP-CL-MOTOR · Cooling material cap +52.3 % in Jun 2027 to Apr 2028. The
    best-margin plan raises them +105.5 % because the extra units earn margin.' and the
    basis of the %: today's cap, or the starting scenario's where it changed the cap
    ('itself 50 % below the data's in ...: +52.5 % brings it to 76 % of the data's cap')."""
    caps = ", ".join(
        wording.supplier_text(c, cap_names) if c == ALL_SUPPLIERS else cap_label(c, cap_names)
        for c in need.caps
    )
    at = "the starting scenario's caps" if need.basis else "today's caps"
    if need.pct <= 0:
        out = (
            f"The targets alone need no raise of supplier caps ({fmt.md(caps)}): they are "
            f"met at {at}."
        )
    else:
        months = fmt.month_span(*need.span)
        out = (
            f"The targets alone need supplier caps {need.pct:+,.1f} % ({fmt.md(caps)}) over "
            f"the plan's months, {months}"
        )
        if need.uses:
            used = ", ".join(
                f"{fmt.md(cap_label(c, cap_names))} {p:+,.1f} % in {fmt.month_span(a, b)}"
                for c, a, b, p in need.uses
            )
            out += f"; per cap, that plan needs {used}"
        out += "."
    if need.best > need.pct:
        out += (
            f" The best-margin plan raises them {need.best:+,.1f} % because the extra units "
            "earn margin."
        )
    else:  # the targets need all of the best-margin raise: no unit beyond them
        out += f" The best-margin plan raises them as much, {need.best:+,.1f} %."
    said = [p for p in dict.fromkeys((need.pct, need.best)) if p > 0]
    if not (need.basis and said):
        return out + " Percentages are of today's cap, the data's."
    parts = []
    for cap, k, a, b in need.basis:
        who = f"{fmt.md(cap_label(cap, cap_names))}: " if need.caps != (cap,) else ""
        word = "percentages" if who else "Percentages"
        side = "below" if k < 1 else "above"
        first, *rest = [(p, f"{100 * k * (1 + p / 100):,.0f} %") for p in said]
        shares = f"{first[0]:+,.1f} % brings it to {first[1]} of the data's cap" + "".join(
            f", {p:+,.1f} % to {share}" for p, share in rest
        )
        parts.append(
            f"{who}{word} are of the starting scenario's cap (itself {100 * abs(k - 1):,.0f} % "
            f"{side} the data's in {fmt.month_span(a, b)}): {shares}"
        )
    return out + " " + "; ".join(parts) + "."


def _sources(start: Evaluation, ev: Evaluation, money: str) -> list[str]:
    """Per resource, the overtime (and extra line hours) the answer adds and removes
    against the starting scenario, with the months, and the cost of an added overtime
    hour: 'L1: overtime +10 h in Feb 2027, -50 h in Jan 2027; €10 an added hour'."""
    a, b = start.plan.resource_use, ev.plan.resource_use
    keys = [schema.RESOURCE, schema.MONTH]
    cols = [
        schema.RESOURCE,
        schema.MONTH,
        "overtime_hours",
        "overtime_cost",
        "load_hours",
        schema.AVAILABLE_HOURS,
    ]
    m = a[cols].merge(b[cols], on=keys, suffixes=("_0", "_1"))
    out = []
    for res, g in m.groupby(schema.RESOURCE, sort=True):
        d_ot = g["overtime_hours_1"] - g["overtime_hours_0"]
        d_avail = g[f"{schema.AVAILABLE_HOURS}_1"] - g[f"{schema.AVAILABLE_HOURS}_0"]
        d_load = (g["load_hours_1"] - g["load_hours_0"]).sum()
        for what, d in (("overtime", d_ot), ("extra line hours", d_avail)):
            more, less = d > 1e-6, d < -1e-6
            if not (more.any() or less.any()):
                continue
            said = [
                f"{sign}{abs(float(d[pick].sum())):,.0f} h in {_span(g.loc[pick, schema.MONTH])}"
                for sign, pick in (("+", more), ("-", less))
                if pick.any()
            ]
            line = f"{fmt.md(str(res))}: {what} {', '.join(said)}"
            if what == "overtime" and d_load > 1e-6 and more.any():
                # the cost of the added hours: the months they were added in (months
                # with less overtime than the start would make the rate look negative)
                cost = float((g["overtime_cost_1"] - g["overtime_cost_0"])[more].sum())
                rate = fmt.money(cost / float(d[more].sum()), money, compact=False)
                line += f"; {fmt.md(rate)} an added hour"
            out.append(line)
    return out


def moves(
    start: Evaluation, ev: Evaluation, money: str, cap_names: Mapping[str, str] | None = None
) -> list[str]:
    """Sentences: the levers moved, the extra units per family and months, the sources.
    `cap_names`: supplier cap code -> name (`sop.supply.explain.cap_names`)."""
    out = _lever_moves(start.levers, ev.levers, money, cap_names)
    fa, fb = start.plan.family_plan, ev.plan.family_plan
    key = [schema.FAMILY, schema.MONTH]
    sa = fa.groupby(key)["shipped"].sum()
    sb = fb.groupby(key)["shipped"].sum()
    d = (sb - sa.reindex(sb.index).fillna(0.0)).reset_index(name="extra")
    for fam, g in d.groupby(schema.FAMILY, sort=True):
        up = g[g["extra"] > 0.5]
        if up.empty or g["extra"].sum() <= 0.5:  # none more, or shipments moved only
            continue
        rev = round(
            fb.loc[fb[schema.FAMILY] == fam, "revenue"].sum()
            - fa.loc[fa[schema.FAMILY] == fam, "revenue"].sum()
        )
        out.append(
            f"{fmt.md(str(fam))}: {g['extra'].sum():,.0f} more units shipped, in "
            f"{_span(up[schema.MONTH])} (revenue "
            f"{fmt.md(fmt.money_delta(rev, money, compact=False))})"
        )
    out += _prebuild(fa, fb)
    out += _sources(start, ev, money)
    return out


def _prebuild(fa: pd.DataFrame, fb: pd.DataFrame) -> list[str]:
    """Per family: the months its month-end stock is above the starting scenario's
    (units built ahead), and by how much at most."""
    key = [schema.FAMILY, schema.MONTH]
    ia = fa.groupby(key)["inventory"].sum()
    ib = fb.groupby(key)["inventory"].sum()
    d = (ib - ia.reindex(ib.index).fillna(0.0)).reset_index(name="more")
    out = []
    for fam, g in d.groupby(schema.FAMILY, sort=True):
        up = g[g["more"] > 0.5]
        if up.empty:
            continue
        out.append(
            f"{fmt.md(str(fam))}: built ahead, month-end stock up to {up['more'].max():,.0f} "
            f"units above the starting scenario's in {_span(up[schema.MONTH])}"
        )
    return out


def extra_cost(ev: Evaluation) -> float:
    """The added capacity's cost in a plan (0 without one)."""
    c = ev.plan.costs
    if c is None or c.empty:
        return 0.0
    row = c.loc[c["term"] == "added_capacity", "amount"]
    return float(row.sum()) if len(row) else 0.0


WHAT = {
    "revenue": "revenue",
    "gross_margin": "margin",
    "on_time_rate": "units on time",
    "ending_inventory_value": "stock value",
    "days_of_supply": "days of supply",
    "overtime_hours": "overtime hours",
}


def limits(target, found: list[Binding], money: str) -> list[str]:
    """Why a target stops where it does: its binding limits, or the demand itself."""
    from sop.supply.targets import METRICS

    unit = METRICS[target.metric][1]
    cur = money if unit == "money" else ""
    if found:
        return [b.text(WHAT[target.metric], cur) for b in found]
    return [
        "No capacity or supply limit binds: the demand of those months is the limit "
        "(every order that pays is served); only demand levers (price, promotions) move it"
    ]


# (step of the figure a sentence speaks of, its words) per target unit
_STEPS = {
    "money": (1000.0, "{cur} 1,000 more"),
    "share": (0.01, "one point more"),
    "days": (1.0, "one day more"),
    "hours": (1.0, "one hour more"),
}


def prices_of_targets(inner, money: str) -> list[str]:
    """What the last bit of each binding target costs in margin, from its row's shadow
    price in the goal solve: 'Revenue at least ... binds: each EUR 1,000 more of it
    costs EUR 420 of margin'."""
    from sop.supply.targets import METRICS, row_units

    out = []
    duals = inner.sol.duals.get("TGT") if inner.sol.ok else None
    if duals is None:
        return out
    for t, y in zip(inner.targets, np.asarray(duals).ravel()):
        unit = METRICS[t.metric][1]
        step, words = _STEPS.get(unit, (1.0, "one more"))
        # the row counts units for on-time and days of supply (`row_units` per figure unit)
        cost = abs(float(y)) * step * row_units(inner.inp, t)
        if cost < 0.5:
            continue
        tighter = words.format(cur=money) if t.sense == ">=" else words.replace("more", "less")
        out.append(
            f"{fmt.md(t.describe(money))} binds: {tighter.format(cur=money)} of it would cost "
            f"{money} {cost:,.0f} of margin"
        )
    return out
