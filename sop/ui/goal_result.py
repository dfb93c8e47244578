"""The Goal tab's answer (`sop.goal.solve.GoalResult`): met, not met or not valid;
what each target reaches (and, when not all can be met, the best each reaches alone
and the limits that stop it); gross margin, revenue and on-time service before and
after, with fill rate and lost sales (which on-time can be traded against); the moves
in sentences; the notes (with the supplier lever: the smallest raise the targets alone
need beside the best-margin one, `sop.goal.least`); and the answer opened as the page's
scenario or saved.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from sop.core import fmt
from sop.finance.kpi_text import service_pct
from sop.finance.kpi_text import value_text as value_text_kpi
from sop.finance.tiles import Tile, kpi_tile
from sop.goal.explain import Binding
from sop.goal.solve import INFEASIBLE, INVALID, MET, GoalResult
from sop.goal.spec import GoalSpec
from sop.scenario import url as scenario_url
from sop.scenario import wording
from sop.scenario.levers import PREFIX, Levers
from sop.supply.targets import METRICS
from sop.ui import say, scenario_save, widgets

RESEED = "_scn_reseed"  # pages/scenarios.py: seed the lever widgets from CURRENT
TARGETS_STATE = PREFIX + "targets"  # the targets lever has no widget (sop.scenario.lever_widgets)
SAVED, OPENED = "_goal_saved", "_goal_opened"
HELP = "The answer over the plan's months; before: the scenario the solve started from."
BINDING_WHAT = {  # what one more hour or unit of a limit adds, for a non-money target
    "on_time_rate": "units delivered on time",
    "days_of_supply": "units of stock",
    "overtime_hours": "overtime hours",
}


def value_text(metric: str, value: float, currency: str) -> str:
    """A reached value with its unit: €26,553,642, 97.5 %, 41.0 days, 1,200 hours."""
    if value is None or not math.isfinite(value):
        return "–"
    unit = METRICS[metric][1]
    if unit == "money":
        return fmt.money(value, currency, compact=False)
    if unit == "share":
        return fmt.pct(value)
    return f"{value:,.1f} days" if unit == "days" else f"{value:,.0f} hours"


def open_scenario(levers: Levers, message: str) -> None:
    """Put `levers` on the page the way a shared link or the Compare page does: the
    lever widgets are seeded from them on the full rerun that follows."""
    st.session_state[scenario_url.CURRENT] = levers
    st.session_state[RESEED] = True
    st.session_state[TARGETS_STATE] = levers.targets
    widgets.flash(OPENED, message)


def show(spec: GoalSpec, result: GoalResult, c: dict) -> None:
    """The answer of a goal solve of `spec` (see the module docstring)."""
    cur = c["cur"]
    st.divider()
    text = fmt.md(result.message)
    {MET: st.success, INFEASIBLE: st.warning}.get(result.status, st.error)(text)
    caps = dict(c["known"].supplier_names) if c.get("known") else {}  # a cap as code · name
    st.caption(
        f"Solved from: {fmt.md(wording.moved_text(spec.start, caps))}. {result.solves} plans "
        f"solved in {result.seconds:.1f} s."
    )
    if result.status == INVALID or result.evaluation is None:
        return
    targets_table(result, cur)
    tiles(result, cur)
    if result.moves:
        say.markdown("**What moved**\n" + "\n".join(f"- {m}" for m in result.moves))
    for note in result.notes:  # Markdown already: names escaped (`explain.need_sentences`)
        say.info(note, icon=":material/local_shipping:")
    if result.status == INFEASIBLE:
        limits(result, cur)
    actions_row(result, c)


def targets_table(result: GoalResult, cur: str) -> None:
    """Target, reached, met; and the best each reaches alone when not all are met."""
    best = dict(result.best)
    rows = [
        {
            "Target": t.describe(cur),
            "Reached": value_text(t.metric, v, cur),
            "Met": "yes" if ok else "no",
        }
        | ({"Best reachable alone": value_text(t.metric, best[t], cur)} if t in best else {})
        for t, v, ok in result.reached
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="goal_targets_table", width="stretch")


def tiles(result: GoalResult, cur: str) -> None:
    """Gross margin, revenue, on-time rate, fill rate and lost sales of the answer, the
    change from the start."""
    a, b = result.evaluation.kpis, result.start.kpis
    row = []
    for key, label in (("gross_margin", "Gross margin"), ("revenue", "Revenue")):
        row.append(
            Tile(
                label,
                fmt.money(a.get(key), cur),
                fmt.money_delta(a.get(key, 0.0) - b.get(key, 0.0), cur),
                "normal",
                "auto",
                help=HELP,
                notes=(f"Before: {fmt.money(b.get(key), cur)}",),
            )
        )
    on_a, on_b = a.get("on_time_rate", math.nan), b.get("on_time_rate", math.nan)
    change = 100 * (on_a - on_b) if math.isfinite(on_a) and math.isfinite(on_b) else math.nan
    row.append(
        Tile(
            "On-time rate",
            service_pct(on_a),
            f"{change:+.1f} pp" if math.isfinite(change) else None,
            "normal",
            "auto",
            help=HELP,
            notes=(f"Before: {service_pct(on_b)}",),
        )
    )
    # on-time can rise by losing orders instead of serving them late: fill rate and lost
    # sales show that trade next to it
    for key, label in (("fill_rate", "Fill rate"), ("lost_units", "Lost sales (units)")):
        before = b.get(key, math.nan)
        row.append(
            kpi_tile(
                key,
                a.get(key, math.nan),
                cur,
                reference=before,
                against="before",
                label=label,
                share=False,
                bare=True,
                notes=(f"Before: {value_text_kpi(key, before, cur, bare=True)}",),
            )
        )
    widgets.tiles(row)


def limits(result: GoalResult, cur: str) -> None:
    """The limits that stop each target, with what one more hour or unit is worth."""
    lines = []
    for t, binding in result.binding:
        money = METRICS[t.metric][1] == "money"
        what = METRICS[t.metric][0].lower() if money else BINDING_WHAT.get(t.metric, t.metric)
        found: list[Binding] = list(binding)
        lines.append(f"- {fmt.md(t.describe(cur))}:")
        lines += [f"    - {b.text(what, cur if money else '')}" for b in found] or [
            "    - no single limit binds: the levers' ranges stop it"
        ]
    if lines:
        say.markdown(
            "**What stops the targets** (each alone, every lever at its top)\n" + "\n".join(lines)
        )


def actions_row(result: GoalResult, c: dict) -> None:
    """Open the answer as the page's scenario; save it (S&OP owner only)."""
    widgets.show_flash(SAVED)
    if st.button("Open as scenario", key="goal_open", icon=":material/open_in_new:"):
        open_scenario(
            result.levers,
            "The answer is the scenario on screen: every tab, Finance, Executive and the "
            "pack show it.",
        )
    scenario_save.save_form(result.levers, c["path"], c["version"], prefix="goal", flash_key=SAVED)
