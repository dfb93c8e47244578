"""The Supply page says a plan is short where it is read, through AppTest: the shortfall
list puts lost sales first even when the stock's rows are larger, a short plan says so
above its tiles in the words of Scenarios and Decisions, and when the cycle's plan of
record is a saved scenario the page points to it with its figures as approved."""

from __future__ import annotations

import re

from exec_helpers import load
from page_helpers import flat, short_lines
from streamlit.testing.v1 import AppTest
from supply_helpers import with_consensus
from tiny import tiny_tables

from sop.core import fmt, schema
from sop.executive import service as executive
from sop.finance.kpi_text import service_pct
from sop.finance.service_line import shortfall_line
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.scenario.shortfall import shortfall_lines
from sop.store import Store

PAGE = "pages/supply.py"
# Beta's line L2 cut by 55 % all year: the plan loses sales and ships late
CUT = Levers(capacity_changes=(("L2", "2026-01", "2026-12", -55.0),))
NAME = "L2 *cut* <b>[x](http://e.com)</b>"  # typed by a planner: shown as typed


def _record_notes(at: AppTest) -> list[str]:
    return [i.value for i in at.info if i.value.startswith("The plan of record")]


def _short(store: Store) -> None:
    """The tiny dataset with its lines at half their days: lost sales, a little backlog
    and, largest of all, stock below safety stock."""
    tables = with_consensus(tiny_tables(), 12)
    tables[schema.CAPACITY] = tables[schema.CAPACITY].assign(**{schema.WORKING_DAYS: 10.0})
    load(store, tables, name="short")


def test_lost_sales_lead_the_shortfalls_and_a_short_plan_says_so(store: Store, open_app) -> None:
    _short(store)
    at = open_app(PAGE)
    table = next(d.value for d in at.dataframe if {"kind", "why"} <= set(d.value.columns))
    kinds = table.groupby("kind")["units"].max()
    # the case the review met: the stock's rows are larger, so largest-first lists only them
    assert kinds["below safety stock"] > kinds["lost sales"]
    assert "lost sales" not in set(table["kind"].head(8))
    (bullets,) = [m.value for m in at.markdown if m.value.startswith("- ")]
    shown = bullets.split("\n")
    assert shown == [f"- {fmt.md(w)}" for w in shortfall_lines(table, 8)]
    firsts = table.set_index("why")["kind"]
    assert [firsts[w] for w in shortfall_lines(table, 8)][0] == "lost sales"
    labels = [e.proto.label for e in at.expander]
    assert f"All {len(table)} shortfalls as a table" in labels
    assert not any("(s)" in label for label in labels)

    m = {t.label: t.value for t in at.metric}
    (line,) = short_lines(at)
    # the page's own tiles, in the line Scenarios and Decisions show (Markdown-escaped)
    assert line.startswith(fmt.md(f"This plan leaves {m['Lost sales (units)']} units (€"))
    assert line.endswith(fmt.md(f": fill {m['Fill rate']}, on-time {m['On-time fill rate']}"))
    drawn = list(flat(at.main))
    first_tile = next(i for i, e in enumerate(drawn) if getattr(e, "type", "") == "metric")
    said = next(i for i, e in enumerate(drawn) if getattr(e, "value", None) == line)
    assert said < first_tile  # read before the figures
    assert not _record_notes(at)  # nothing approved


def test_the_page_points_to_a_scenario_approved_as_plan_of_record(store: Store, open_app) -> None:
    load(store)
    at = open_app(PAGE)
    assert not short_lines(at) and not _record_notes(at)  # the data's plan serves all
    sid = saved_scenarios.save(store, NAME, CUT)
    ctx = executive.context(store)
    executive.approve_saved(store, ctx, sid, "short, but the cut is real")
    k = ctx.evaluate(CUT).kpis
    assert k["lost_units"] >= 1 and k["on_time_rate"] < 0.999
    at = open_app(PAGE)
    (note,) = _record_notes(at)
    assert f"is the scenario '{fmt.md(f'#{sid} {NAME}')}': " in note
    assert f"on-time {service_pct(k['on_time_rate'])}" in note
    assert f"{fmt.units(k['lost_units'])} lost (€" in note
    assert "Executive page" in note and "Scenarios page" in note
    assert "*cut*" not in note and "<b>" not in note  # the name escaped
    assert not short_lines(at)  # the page's own plan still serves all
    # the baseline approved in its place: the page shows the plan of record itself
    executive.approve_saved(store, executive.context(store), 0, "back to the baseline")
    at = open_app(PAGE)
    assert not _record_notes(at)


def _plain(markdown: str) -> str:
    """Markdown text as read: its escapes (`fmt.md`) undone."""
    return re.sub(r"\\(.)", r"\1", markdown)


def _times(figure: str, text: str) -> int:
    """How often `figure` is written in `text` (not inside a longer number)."""
    return len(re.findall(rf"(?<![\d,.]){re.escape(figure)}", text))


def test_a_short_plan_says_each_service_figure_once(store: Store, open_app) -> None:
    """Review: the caption under the short line said its figures again (fill, on-time,
    late units and their value, unit-months, lost units); the caption keeps the margin,
    revenue and binding limits, and a plan that serves all keeps its service clause."""
    _short(store)
    k = executive.context(store).evaluate(Levers()).kpis
    at = open_app(PAGE)
    (line,) = short_lines(at)
    assert line == fmt.md(shortfall_line(k, "EUR"))  # the page's plan
    (caption,) = [c.value for c in at.caption if c.value.startswith("Demand: ")]
    said = _plain(line) + "\n" + _plain(caption)
    figures = [
        service_pct(k["fill_rate"]),
        service_pct(k["on_time_rate"]),
        fmt.units(k["lost_units"]),
        fmt.units(k["late_units"]),
        fmt.money(k["late_value"], "EUR"),
        fmt.units(k["late_unit_months"], "unit-months"),
    ]
    assert k["lost_units"] >= 1 and k["late_units"] >= 1  # every figure is in the line
    for figure in figures:
        assert _times(figure, said) == 1, (figure, said)
    assert f"Gross margin {fmt.money(k['gross_margin'], 'EUR')}" in _plain(caption)
    assert "limit-month" in caption
    # a plan that serves all: no short line, and the caption says its service
    load(store)
    at = open_app(PAGE)
    assert not short_lines(at)
    (caption,) = [c.value for c in at.caption if c.value.startswith("Demand: ")]
    assert "of demand delivered within the horizon" in caption and " lost; " in caption
