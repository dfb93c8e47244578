"""The Executive S&OP pages through AppTest: the one-screen summary, presentation mode,
approving a plan of record, questions and actions, the S&OE hand-off."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest
from exec_helpers import load
from streamlit.testing.v1 import AppTest

from sop.core import access, fmt
from sop.core.access import Actor
from sop.executive import decisions
from sop.executive import risks as exec_risks
from sop.executive import service as executive
from sop.finance import budget_odds
from sop.finance import view as finance_view
from sop.finance.kpi_text import service_pct, value_text
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.scenario.stars import BEST
from sop.store import Store, users
from sop.store import decisions as decision_log
from sop.ui import auth

CYCLE = pd.Timestamp("2026-01-01")


@pytest.fixture
def loaded(store: Store) -> Store:
    load(store)
    saved_scenarios.save(store, "Beta push", Levers(demand_family_pct=(("Beta", 20.0),)))
    return store


def _frame(at: AppTest, column: str) -> pd.DataFrame:
    """The first dataframe on screen with `column` (dataframes carry no key here)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _markdown(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)


def test_executive_page_shows_the_summary(loaded: Store, open_app) -> None:
    at = open_app("pages/executive.py")
    metrics = {m.label: m.value for m in at.metric}
    ev = executive.context(loaded).evaluate(Levers())
    assert list(metrics) == [
        "Revenue",
        "Gross margin",
        "Inventory value (end)",
        "Line utilisation",
        "Binding (limit-months)",
        "Fill rate",
        "On-time fill rate",
        "Late (units)",
        "Late deliveries (value)",
        "Lost sales (value)",
    ]
    assert metrics["Fill rate"].endswith("%")
    assert metrics["Revenue"].startswith("€")
    assert "No plan of record yet" in _markdown(at)
    # the tile is over the horizon, the budget over fewer months: the caption names the
    # months (short: the summary fits one screen), the help this plan's figure over them
    assert re.search(r"[+-]€[^ ]+ \([+-][\d.]+ %\) vs budget over its \d+ months", _markdown(at))
    helps = " ".join(m.help or "" for m in at.metric)
    assert re.search(r"Budget €[^ ]+ over its \d+ months: this plan €[^ ]+ there", helps)
    board = _frame(at, "Plan")
    assert list(board["Plan"]) == ["Baseline", "#1 Beta push"]
    # the risks are an HTML table whose text wraps: no sentence is cut by a grid cell
    risks = " ".join(h.proto.body for h in at.get("html") if "exe-risks" in h.proto.body)
    view = executive.view(loaded, executive.context(loaded))
    top = exec_risks.top(view.risks, n=8, per_category=3)
    assert len(top) and risks.count("<tr>") == len(top) + 1
    for why in top["what"]:
        assert html.escape(why) in risks
    assert re.findall(r'class="m (?:risk|opportunity)">([^<]*)<', risks) == [
        fmt.money_delta(m, "EUR") for m in top["money"]
    ]
    assert not any(
        d.value.columns.tolist() == ["Item", "At stake", "When", "Why"] for d in at.dataframe
    )
    assert ev.kpis["revenue"] > 0
    assert "second approved cycle" in at.info[0].value  # no bridge yet
    # revenue's and gross margin's help: the chance of meeting the budget, as Finance's
    fin = finance_view.build(ev, executive.context(loaded).tables)
    said = budget_odds.odds_lines(fin.odds, fin.n_paths, "EUR")
    tips = {m.label: m.help or "" for m in at.metric}
    assert said and said[0] in tips["Revenue"] and said[-1] in tips["Gross margin"]


def test_presentation_mode_hides_the_sidebar(loaded: Store, open_app) -> None:
    at = open_app("pages/executive.py")
    css = " ".join(str(h.proto) for h in at.get("html"))
    assert "stSidebar" not in css
    at.toggle(key="exe_present").set_value(True).run()
    assert not at.exception
    css = " ".join(str(h.proto) for h in at.get("html"))
    assert "stSidebar" in css and "display:none" in css
    # the scenarios board and the S&OP grid are plain tables there, so their text grows
    # a table's cells are Markdown: the plan name escaped, reading "#1 Beta push"
    assert len(at.table) == 2 and fmt.md("#1 Beta push") in at.table[0].value.index
    assert not any("Plan" in d.value.columns for d in at.dataframe)


def test_approve_on_the_decisions_page_and_see_it_everywhere(loaded: Store, open_as) -> None:
    erin = dict(email="erin@example.com", name="Erin Exec")
    at = open_as({access.EXECUTIVE}, "pages/decisions.py", **erin)
    assert any("Recorded as Erin Exec" in c.value for c in at.caption)
    at.selectbox(key="dec_plan").set_value(1)
    at.text_area(key="dec_note").set_value("Beta listing confirmed")
    at.button(key="dec_approve").click().run()
    assert not at.exception and not at.error
    assert "Approved as plan of record" in at.success[0].value
    log = _frame(at, "entry")
    assert log.loc[0, "entry"].startswith("Approved #1 Beta push")
    assert log.loc[0, "status"] == decisions.STATUS_POR
    assert log.loc[0, "author"] == "Erin Exec <erin@example.com>"  # the signed-in person
    assert decisions.plan_of_record(decision_log.log(loaded), CYCLE)["scenario_name"] == "Beta push"
    at.switch_page("pages/executive.py").run()
    assert "Plan of record: **\\#1 Beta push**" in _markdown(at)
    assert _frame(at, "Plan")["Plan"].str.startswith("✔ #1").any()
    at.switch_page("pages/handoff.py").run()
    assert not at.exception
    weeks = _frame(at, "week_start")
    assert weeks["production"].sum() == pytest.approx(
        executive.view(loaded, executive.context(loaded)).snapshot.sku_plan["production"].sum()
    )


def test_a_role_taken_away_before_the_click_stores_nothing(loaded: Store, open_as) -> None:
    at = open_as({access.EXECUTIVE}, "pages/decisions.py", email="ed@example.com")
    sid = int(saved_scenarios.list_scenarios(loaded)["scenario_id"].iloc[0])
    at.selectbox(key="dec_plan").set_value(sid)
    at.text_area(key="dec_note").set_value("the role went meanwhile")
    # an admin takes the role away between drawing the form and pressing the button; the
    # sign-in gate reads the roles again at the next run (AppTest runs the page alone
    # after a switch_page, so the test puts what the gate would read in the session)
    users.set_roles(loaded, "ed@example.com", [])
    at.session_state[auth.ACTOR] = Actor("ed@example.com", "Pat Doe", frozenset())
    at.button(key="dec_approve").click().run()
    assert not at.exception, at.exception
    assert decision_log.log(loaded).empty
    assert any(access.ACTIONS[access.APPROVE] in i.value for i in at.info)
    assert len(at.help) == 0  # no stray expression printed by Streamlit magic


def test_the_approval_needs_the_executive_role(loaded: Store, open_as) -> None:
    at = open_as({access.SOP_OWNER}, "pages/decisions.py")
    assert not [b for b in at.button if b.key == "dec_approve"]
    assert any("may not approve or revoke the plan of record" in i.value for i in at.info)
    assert [b.key for b in at.button if b.key == "dec_item_add"]  # an S&OP owner logs items
    assert decision_log.log(loaded).empty


def test_add_an_action_and_close_it(loaded: Store, open_app) -> None:
    at = open_app("pages/decisions.py")
    at.text_input(key="dec_item_text").set_value("Book Saturday shifts on L2")
    at.text_input(key="dec_item_owner").set_value("Olga")
    at.date_input(key="dec_item_due").set_value(pd.Timestamp("2030-01-31").date())
    at.button(key="dec_item_add").click().run()
    assert not at.error, [e.value for e in at.error]
    items = _frame(at, "raised_by")
    assert items.loc[0, "owner"] == "Olga" and items.loc[0, "status"] == "open"
    assert items.loc[0, "raised_by"] == Actor.local_user().signature
    at.text_input(key="dec_close_note").set_value("booked")
    at.button(key="dec_close_go").click().run()
    assert (
        decisions.items(decision_log.log(loaded), pd.Timestamp("2030-01-01")).loc[0, "status"]
        == "closed"
    )


def test_handoff_waits_for_a_plan_of_record(loaded: Store, open_app) -> None:
    at = open_app("pages/handoff.py")
    assert "No plan of record" in at.info[0].value


def test_pages_explain_a_missing_demand_plan(store: Store, open_app) -> None:
    from tiny import tiny_tables

    load(store, tiny_tables())  # no consensus, no forecast
    for page in ("pages/executive.py", "pages/decisions.py", "pages/handoff.py"):
        at = open_app(page)
        assert "forecast" in at.info[0].value


def test_a_new_dataset_without_forecast_keeps_the_log_and_the_hand_off(
    loaded: Store, open_app
) -> None:
    """QA: after loading a new dataset version, Decisions and Hand-off hid the decision log
    until the forecast was re-run. The log, items and the approved plan's weeks need no
    demand plan: they stay, with a note that the plan figures need one."""
    from tiny import tiny_tables

    ctx = executive.context(loaded)
    executive.approve_saved(loaded, ctx, 0, "go", CYCLE)
    decision_log.add_item(loaded, CYCLE, "action", "Book Saturday shifts", "Olga", "2030-01-31")
    load(loaded, tiny_tables())  # the same company: same as-of, no consensus, no forecast
    at = open_app("pages/decisions.py")
    assert "forecast" in at.info[0].value
    assert _frame(at, "entry")["entry"].str.startswith("Approved Baseline").any()
    assert list(_frame(at, "raised_by")["text"]) == ["Book Saturday shifts"]
    assert not [b for b in at.button if b.key == "dec_approve"]
    at = open_app("pages/handoff.py")
    assert "forecast" in at.info[0].value
    weeks = _frame(at, "week_start")
    assert weeks["production"].sum() > 0


def test_the_action_form_is_empty_after_saving_and_a_second_press_stores_nothing(
    loaded: Store, open_app
) -> None:
    at = open_app("pages/decisions.py")
    at.text_input(key="dec_item_text").set_value("Book Saturday shifts on L2")
    at.text_input(key="dec_item_owner").set_value("Olga")
    at.date_input(key="dec_item_due").set_value(pd.Timestamp("2030-01-31").date())
    at.button(key="dec_item_add").click().run()  # Enter in a field submits the form
    assert "The action is in the log" in at.success[0].value
    assert at.text_input(key="dec_item_text").value == ""
    assert at.text_input(key="dec_item_owner").value == ""
    assert at.date_input(key="dec_item_due").value is None
    at.button(key="dec_item_add").click().run()  # ... then the click
    assert not at.exception and not at.error
    assert any("Nothing to add" in i.value for i in at.info)
    assert len(decision_log.log(loaded)) == 1
    # closing one of two empties the note for the next one
    decision_log.add_item(loaded, CYCLE, "question", "Overtime on L1?", "Olga", "2030-02-01")
    at.run()
    at.text_input(key="dec_close_note").set_value("booked")
    at.button(key="dec_close_go").click().run()
    assert "is closed" in at.success[0].value
    assert at.text_input(key="dec_close_note").value == ""
    assert len(decision_log.log(loaded)) == 3


def test_another_companys_decisions_and_scenarios_are_not_shown(loaded: Store, open_app) -> None:
    from exec_helpers import exec_tables

    executive.approve_saved(loaded, executive.context(loaded), 1, "go", CYCLE)
    decision_log.add_item(loaded, CYCLE, "action", "Book shifts", "Olga", "2030-01-31")
    other = exec_tables()
    other["company"] = pd.DataFrame(
        {
            "company_name": ["Bolt"],
            "currency": ["EUR"],
            "as_of_month": [CYCLE - pd.DateOffset(months=1)],
        }
    )
    load(loaded, other)
    at = open_app("pages/decisions.py")
    assert not at.exception, at.exception
    assert any("No decisions yet" in i.value for i in at.info)
    assert any("No questions or actions" in c.value for c in at.caption)
    assert len(at.selectbox(key="dec_plan").options) == 1  # the baseline only
    load(loaded)  # the first company again: all of it is back
    at = open_app("pages/decisions.py")
    assert _frame(at, "entry")["entry"].str.startswith("Approved #1 Beta push").any()
    assert list(_frame(at, "raised_by")["text"]) == ["Book shifts"]


def test_a_short_plan_shows_its_service_range_and_lost_sales_on_the_board(
    loaded: Store, open_app
) -> None:
    """The plan on the table squeezed (Beta's line L2 cut by 55 % all year): the fill
    and on-time tiles carry the simulation's P10-P90 through the constrained plan, and
    the board's "Lost sales (value)" of the plan of record is the scenario's KPI, the
    same figure as the tile of that name."""
    cut = Levers(capacity_changes=(("L2", "2026-01", "2026-12", -55.0),))
    sid = saved_scenarios.save(loaded, "L2 cut", cut)
    ctx = executive.context(loaded)
    executive.approve_saved(loaded, ctx, sid, "the cut", CYCLE)
    at = open_app("pages/executive.py")
    assert not at.exception, at.exception
    view = executive.view(loaded, executive.context(loaded))
    assert view.plan_name == f"#{sid} L2 cut"
    k = view.current.kpis
    assert k["lost_value"] > 0  # the squeeze loses sales
    summary = view.current.risk.summary.set_index("metric")
    # a tile's notes are one caption, a line each
    captions = [line for c in at.caption for line in c.value.split("  \n")]
    for key in ("fill_rate", "on_time_rate"):
        lo, hi = summary.at[key, "p10"], summary.at[key, "p90"]
        assert f"P10-P90: {service_pct(lo)} to {service_pct(hi)}" in captions, key
    metrics = {m.label: m.value for m in at.metric}
    board = _frame(at, "Plan").set_index("Plan")
    lost = board.at[f"✔ #{sid} L2 cut", "Lost sales (value)"].removeprefix(BEST)
    assert lost == metrics["Lost sales (value)"] == value_text("lost_value", k["lost_value"])
    base = executive.context(loaded).evaluate(Levers()).kpis
    assert board.at["Baseline", "Lost sales (value)"].removeprefix(BEST) == value_text(
        "lost_value", base["lost_value"]
    )
