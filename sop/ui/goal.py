"""The Scenarios page's Goal tab: say what the plan must reach (targets) and which
levers may move, and the goal solver (`sop.goal.solve.solve_goal`) finds the lever set
with the best margin that meets every target, starting from the scenario on screen.

The answer is shown as a scenario: whether the targets are met, what each reaches,
margin, revenue and on-time service before and after, the moves in sentences, and,
when the targets cannot all be met, the best each reaches alone and the limits that
stop it. "Open as scenario" puts the answer's levers on the page as a shared link
does, so every tab, the Finance and Executive pages and the meeting pack show it.
The last answer is kept in the session per company and dataset, so it survives reruns;
it is shown by `sop.ui.goal_result`, the trade-off frontier by `sop.ui.goal_frontier`.
"""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import streamlit as st

from sop.core import fmt, schema
from sop.goal.solve import solve_goal
from sop.goal.spec import LEVERS, UPLIFT_MAX, GoalSpec, LeverRange
from sop.scenario.levers import Levers
from sop.supply.explain import cap_label
from sop.supply.targets import AT_LEAST, AT_MOST, METRICS, Target
from sop.ui import goal_frontier, goal_result, readers, scenario_readers, widgets

COMPANY = "Company (all families)"
SENSE_TEXT = {AT_LEAST: "at least", AT_MOST: "at most"}
COLUMNS = ["Figure", "Sense", "Value", "Family", "From", "To"]
# lever -> (default low, default high, widget step)
DEFAULTS = {
    "overtime": (100.0, 200.0, 10.0),
    "subcontract": (100.0, 200.0, 10.0),
    "hiring": (0.0, 10.0, 1.0),
    "extra_capacity": (0.0, 25.0, 5.0),
    "safety_stock": (0.0, 3.0, 0.25),
    "price": (-10.0, 10.0, 1.0),
    "promotion": (1.0, 3.0, 1.0),  # its length, months
    "supplier": (0.0, 50.0, 5.0),
}
CHECKED = ("overtime", "subcontract")  # allowed at first: caps whose use the plan costs


def unit_of(metric: str, currency: str) -> str:
    """The unit a target's value is typed in: the currency, %, days or hours."""
    unit = METRICS[metric][1]
    return {"money": currency, "share": "%"}.get(unit, unit)


def figure_label(metric: str, currency: str) -> str:
    """'Revenue (EUR)', 'On-time rate (%)': a figure with the unit of its value."""
    return f"{METRICS[metric][0]} ({unit_of(metric, currency)})"


def first_rows(tables: dict, months: tuple[str, ...], currency: str) -> pd.DataFrame:
    """The editor's first rows: 'Revenue at least the budget' over the budget's months
    that fall in the plan (none without a budget)."""
    budget = tables.get(schema.BUDGET)
    rows = []
    if budget is not None and not budget.empty and months:
        ym = budget[schema.MONTH].dt.strftime("%Y-%m")
        inside = budget[ym.isin(months)]
        if not inside.empty:
            span = ym[ym.isin(months)]
            rows.append(
                [
                    figure_label("revenue", currency),
                    SENSE_TEXT[AT_LEAST],
                    float(inside[schema.REVENUE].sum()),
                    COMPANY,
                    span.min(),
                    span.max(),
                ]
            )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.astype({"Value": float}).astype({c: object for c in COLUMNS if c != "Value"})


def targets_from_rows(rows: pd.DataFrame, currency: str) -> tuple[list[Target], list[str]]:
    """(targets, problems) of the editor's rows; a row with no figure is skipped. On-time
    is typed in % and kept as a share."""
    metric_of = {figure_label(m, currency): m for m in METRICS}
    targets, problems = [], []
    for n, row in enumerate(rows.itertuples(index=False), start=1):
        figure, sense, value, family, start, end = (getattr(row, c) for c in COLUMNS)
        if pd.isna(figure) or not str(figure):
            continue
        metric = metric_of.get(str(figure))
        if metric is None:
            problems.append(f"Row {n}: choose a figure")
            continue
        if pd.isna(value):
            problems.append(f"Row {n}: a value is needed ({unit_of(metric, currency)})")
            continue
        share = METRICS[metric][1] == "share"
        t = Target(
            metric,
            AT_MOST if sense == SENSE_TEXT[AT_MOST] else AT_LEAST,
            float(value) / 100 if share else float(value),
            "" if pd.isna(family) or family == COMPANY else str(family),
            "" if pd.isna(start) else str(start),
            "" if pd.isna(end) else str(end),
        )
        problems += [f"Row {n}: {why}" for why in t.problems()]
        targets.append(t)
    return targets, problems


def targets_editor(tables: dict, known, currency: str, key: str) -> pd.DataFrame:
    """The targets table: figure, at least / at most, value, family, from / to month
    (shown 'Nov 2026', kept as '2026-11')."""
    st.markdown("**Targets** the plan must meet")
    if key not in st.session_state:  # the editor's rows stay put: edits are its state
        st.session_state[key] = first_rows(tables, known.months, currency)
    start = st.session_state[key]
    figures = [figure_label(m, currency) for m in METRICS]
    months = list(known.months)
    return st.data_editor(
        start,
        key="goal_targets",
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config={
            "Figure": st.column_config.SelectboxColumn(options=figures, required=True),
            "Sense": st.column_config.SelectboxColumn(
                options=list(SENSE_TEXT.values()),
                default=SENSE_TEXT[AT_LEAST],
                help="On-time rate can only be 'at least'",
            ),
            "Value": st.column_config.NumberColumn(
                help=f"Money in {currency}, on-time rate in %, days of supply in days, "
                "overtime in hours",
                format="localized",
            ),
            "Family": st.column_config.SelectboxColumn(
                options=[COMPANY, *known.families],
                default=COMPANY,
                help="Gross margin and overtime hours are company targets only",
            ),
            "From": st.column_config.SelectboxColumn(
                options=months,
                format_func=fmt.month_text,
                help="First month (blank: the plan's first)",
            ),
            "To": st.column_config.SelectboxColumn(
                options=months,
                format_func=fmt.month_text,
                help="Last month (blank: the plan's last)",
            ),
        },
    )


def line_cost(tables: dict) -> float:
    """The lines' average regular cost per hour: the first guess of an added hour's cost."""
    res = tables.get(schema.RESOURCES)
    if res is None or res.empty:
        return 0.0
    lines = res.loc[res[schema.KIND] == schema.KIND_LINE, schema.REGULAR_COST_PER_HOUR]
    cost = float(pd.to_numeric(lines, errors="coerce").mean()) if len(lines) else 0.0
    return round(cost, 2) if math.isfinite(cost) else 0.0


def lever_row(name: str, known, start: Levers, currency: str, tables: dict) -> LeverRange | None:
    """One lever's checkbox, range and extras; its `LeverRange` when allowed."""
    label, unit, lo, hi, _ = LEVERS[name]
    lo, hi = float(lo), float(hi)
    low0, high0, step = DEFAULTS[name]
    box, low_col, high_col, extra = st.columns([1.6, 1, 1, 2.4], vertical_alignment="bottom")
    use = box.checkbox(label, value=name in CHECKED, key=f"goal_use_{name}", help=unit)
    low = low_col.number_input(
        f"From ({unit})", lo, hi, low0, step, key=f"goal_low_{name}", disabled=not use
    )
    high = high_col.number_input(
        f"To ({unit})", lo, hi, high0, step, key=f"goal_high_{name}", disabled=not use
    )
    cost, names, uplift = 0.0, (), 0.0
    if name == "promotion":
        cost, names, uplift = promotion_inputs(extra, known, start, currency, use)
    elif name == "extra_capacity":
        cost = extra.number_input(
            f"Cost per added hour ({currency})",
            0.0,
            100_000.0,
            line_cost(tables),
            5.0,
            key="goal_hour_cost",
            disabled=not use,
        )
        names = extra.multiselect(
            "Lines (none chosen: every line)",
            list(known.resources),
            key="goal_lines",
            disabled=not use,
        )
    elif name == "supplier":
        names = supplier_inputs(extra, known, use)
    elif name == "price":
        names = extra.multiselect(
            "Families (none chosen: every family)",
            list(known.families),
            key="goal_price_families",
            disabled=not use,
        )
        e = start.price_elasticity
        extra.caption(
            f"Price elasticity of the scenario on screen: {e:g} (set it under Price)."
            + (
                " 0 means demand does not respond to price, so a price rise loses no sales."
                if e == 0
                else " Demand follows demand x (1 + price change)^elasticity."
            )
        )
    if not use:
        return None
    return LeverRange(
        name, float(low), float(high), float(cost), tuple(map(str, names)), float(uplift)
    )


def supplier_inputs(box, known, use: bool) -> tuple[str, ...]:
    """The supplier caps the solver may raise (none chosen: every one), named as the
    Supply page names them, with what a raise costs."""
    names = dict(known.supplier_names)
    chosen = box.multiselect(
        "Supplier caps (none chosen: every cap)",
        list(known.suppliers),
        format_func=lambda c: cap_label(c, names),
        key="goal_suppliers",
        disabled=not use,
    )
    box.caption(
        "A cap is raised only over the months the plan ships beyond today's: the answer "
        "names the cap, the % and the months. No premium per unit: the supplier ships at "
        "its data price, so the answer is the best-margin plan that meets the targets and "
        "may raise a cap past what the targets alone need, where the extra units earn "
        "margin; the answer also says the smallest raise the targets alone need (to 0.5 "
        "point, a few more solves), the figure to take to the supplier."
    )
    return tuple(map(str, chosen))


def promotion_inputs(
    box, known, start: Levers, currency: str, use: bool
) -> tuple[float, tuple[str, ...], float]:
    """(cost per month, families, uplift %) of the promotion the solver may add: one
    promotion on one of the families, its length in the row's range, starting in any
    plan month, or none. The uplift starts at the scenario's own promotion's."""
    uplift = box.number_input(
        "Demand uplift in its months (%)",
        0.0,
        UPLIFT_MAX,
        float(start.promo_uplift_pct) or 20.0,
        5.0,
        key="goal_promo_uplift",
        disabled=not use,
        help="Demand of the promoted family in the promotion's months x (1 + uplift)",
    )
    cost = box.number_input(
        f"Cost per month it runs ({currency})",
        0.0,
        1e9,
        float(start.promo_cost),
        1000.0,
        key="goal_promo_cost",
        disabled=not use,
        help="Trade spend, displays: booked in the promoted family's P&L each month it runs",
    )
    names = box.multiselect(
        "Families (none chosen: every family)",
        list(known.families),
        key="goal_promo_families",
        disabled=not use,
    )
    return float(cost), tuple(map(str, names)), float(uplift)


def lever_ranges(known, start: Levers, currency: str, tables: dict) -> list[LeverRange]:
    """The levers allowed, with their ranges (subcontracting, hiring and supplier caps
    only when the data has offers, labour pools and supplier caps)."""
    st.markdown("**Levers** the solver may move, within their ranges")
    skip = {"subcontract"} if not known.subcontract else set()
    skip |= {"hiring"} if not known.labour else set()
    skip |= {"supplier"} if not known.suppliers else set()
    out = [lever_row(n, known, start, currency, tables) for n in LEVERS if n not in skip]
    return [lv for lv in out if lv is not None]


def result_key(c: dict, what: str) -> str:
    """Session key of this company's and dataset's last goal answer (or frontier)."""
    return f"_goal_{what}:{readers.company(c['path'], c['version'])}:{c['version']}"


def tab(ev, base_ev, c: dict) -> None:
    """The Goal tab (`ev`: the scenario on screen; `c`: the page's context)."""
    tables = readers.tables(c["path"], c["version"])
    policy = readers.plan_policy()[0]
    cur, known = c["cur"], c["known"]
    st.caption(
        "Say what the plan must reach and which levers may move: the solver finds the "
        "lever set with the best gross margin that meets every target, starting from "
        "the scenario on screen (its other levers are kept)."
    )
    rows = targets_editor(tables, known, cur, f"_goal_rows:{c['version']}")
    targets, problems = targets_from_rows(rows, cur)
    levers = lever_ranges(known, ev.levers, cur, tables)
    spec = GoalSpec(tuple(targets), tuple(levers), start=ev.levers)
    problems += spec.problems() if not problems else []
    if not targets:
        problems.append("Add at least one target")
    if problems:
        st.error("\n".join(f"- {fmt.md(p)}" for p in dict.fromkeys(problems)))
    key = result_key(c, "result")
    if st.button("Solve", key="goal_solve", type="primary", disabled=bool(problems)):
        base = scenario_readers.scenario_base(c["path"], c["version"], policy.horizon, c["stamp"])
        bar = st.progress(0.0, text="Starting")
        result = solve_goal(
            base, tables, policy, spec, progress=lambda f, text: bar.progress(f, text=text)
        )
        bar.empty()
        st.session_state[key] = (spec, result)
    widgets.show_flash(goal_result.OPENED)
    if key in st.session_state:
        goal_result.show(*st.session_state[key], c)
    goal_frontier.section(
        around(spec, st.session_state.get(key)),
        problems,
        tables,
        policy,
        c,
        result_key(c, "frontier"),
        goal_result.open_scenario,
    )


def around(spec: GoalSpec, solved: tuple | None) -> GoalSpec:
    """The frontier's spec: `spec` started from the goal's answer when the last solve
    met these very targets with these levers (its price and safety stock kept), else
    from the scenario on screen."""
    if solved is None:
        return spec
    was, result = solved
    same = (was.targets, was.levers) == (spec.targets, spec.levers)
    return dataclasses.replace(spec, start=result.levers) if same and result.ok else spec
