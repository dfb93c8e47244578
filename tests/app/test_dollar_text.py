"""A company whose money is in US dollars reads right on every page: Streamlit renders
`$...$` in Markdown as LaTeX (no option turns it off), so every "$" of a money amount in
markdown, a caption, an alert or widget help is escaped (`fmt.dollars`), never left to
pair with the next one and turn the text between into maths."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from exec_helpers import consensus
from page_helpers import PAGES
from streamlit.testing.v1 import AppTest
from tiny import tiny_tables

from sop.core import fmt, schema
from sop.data.validate import check_tables
from sop.executive import service as executive
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.store import Store

RAW_DOLLAR = re.compile(r"(?<!\\)\$")
# the elements whose text Streamlit renders as Markdown (with its $latex$)
MARKDOWN = ("markdown", "caption", "error", "warning", "info", "success", "toast")
CUT = Levers(capacity_changes=(("L2", "2026-01", "2027-06", -55.0),))


def usd_tables() -> dict[str, pd.DataFrame]:
    """Tiny with a consensus plan, its company keeping its money in US dollars."""
    t = tiny_tables()
    t[schema.CONSENSUS] = consensus(t)
    t[schema.COMPANY] = pd.DataFrame(
        {schema.COMPANY_NAME: ["Acme"], schema.CURRENCY: ["USD"], schema.AS_OF_MONTH: ["2025-12"]}
    )
    return t


@pytest.fixture
def usd(store: Store) -> int:
    """The USD dataset loaded with a saved short plan (line L2 cut by 55 %): its id."""
    report = check_tables(usd_tables())
    assert report.ok, [f.message for f in report.errors]
    store.load(report.tables, name="tiny")
    return saved_scenarios.save(store, "L2 cut", CUT)


def _texts(node) -> list[tuple[str, str]]:
    """(element type, text) of every Markdown element body, every metric's label,
    value and delta, and every widget help."""
    out: list[tuple[str, str]] = []
    if node.type in MARKDOWN or type(node).__name__ in ("Markdown", "Caption"):
        value = getattr(node, "value", None)
        if isinstance(value, str):
            out.append((node.type, value))
    if node.type == "table":  # st.table renders each cell as Markdown
        df = node.value
        cells = [df.index.astype(str), df.columns.astype(str), df.to_numpy().ravel()]
        out += [("table", v) for part in cells for v in part if isinstance(v, str)]
    if node.type == "metric":  # label, value and delta are Markdown too
        out += [(f"metric.{a}", getattr(node, a)) for a in ("label", "value", "delta")]
    help_text = getattr(node, "help", None) if node.type not in ("dataframe", "table") else None
    if isinstance(help_text, str) and help_text:
        out.append((f"{node.type}.help", help_text))
    for child in getattr(node, "children", {}).values():
        out += _texts(child)
    return out


def _raw(at: AppTest) -> list[tuple[str, str]]:
    return [
        (where, t[:300])
        for where, t in _texts(at._tree)
        if isinstance(t, str) and RAW_DOLLAR.search(t)
    ]


def test_dollars_escapes_each_sign_once() -> None:
    assert fmt.dollars("Budget $26.55M: this plan $27.75M") == (
        "Budget \\$26.55M: this plan \\$27.75M"
    )
    already = fmt.md("A$ Co") + " costs $5"
    assert fmt.dollars(already) == "A\\$ Co costs \\$5"
    assert fmt.dollars(fmt.dollars("$1 and $2")) == "\\$1 and \\$2"
    assert fmt.dollars("€1.20M") == "€1.20M"


@pytest.mark.parametrize("page", PAGES)
def test_no_dollar_amount_becomes_latex(usd: int, open_app, page: str) -> None:
    at = open_app(page)
    assert page != "pages/executive.py" or any("\\$" in t for _, t in _texts(at._tree))
    bad = _raw(at)
    assert not bad, "\n".join(f"{where}: {t!r}" for where, t in bad)


def test_finance_with_a_short_plan_reads_dollars(usd: int, open_app) -> None:
    at = open_app("pages/finance.py")
    at.selectbox(key="fin_scenario").set_value(usd).run()
    assert not at.exception, at.exception
    texts = _texts(at._tree)
    assert any("\\$" in t for _, t in texts)  # not vacuous: money is on screen
    bad = _raw(at)
    assert not bad, "\n".join(f"{where}: {t!r}" for where, t in bad)


def test_scenarios_with_the_short_plan_read_dollars(usd: int, open_app) -> None:
    at = open_app("pages/scenarios.py", query=CUT.to_query())
    texts = _texts(at._tree)
    assert any("\\$" in t for _, t in texts)  # not vacuous: money is on screen
    bad = _raw(at)
    assert not bad, "\n".join(f"{where}: {t!r}" for where, t in bad)


@pytest.mark.parametrize(
    "page", ["pages/executive.py", "pages/decisions.py", "pages/handoff.py", "pages/compare.py"]
)
def test_a_short_plan_of_record_reads_dollars(usd: int, store: Store, open_app, page: str) -> None:
    ctx = executive.context(store)
    executive.approve_saved(store, ctx, usd, "Cut L2", pd.Timestamp("2026-01-01"))
    at = open_app(page)
    assert page != "pages/executive.py" or any("\\$" in t for _, t in _texts(at._tree))
    bad = _raw(at)
    assert not bad, "\n".join(f"{where}: {t!r}" for where, t in bad)


def test_a_goal_out_of_reach_reads_dollars(usd: int, open_app) -> None:
    """The Goal tab's answer: its tiles, what moved and the limits' worth in money."""
    at = open_app("pages/scenarios.py")
    at.slider(key="scn_demand_pct").set_value(100.0).run()  # twice the demand: lines full
    at.session_state["scn_tab"] = "Goal"
    at.run()
    at.session_state["goal_targets"] = {
        "edited_rows": {0: {"Figure": "On-time rate (%)", "Value": 100.0}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.button(key="goal_solve").click().run()
    assert not at.exception, at.exception
    assert any("What stops" in m.value for m in at.markdown)
    bad = _raw(at)
    assert not bad, "\n".join(f"{where}: {t!r}" for where, t in bad)
