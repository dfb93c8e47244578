"""The Finance page's budget tab says how likely the plan is to meet the budget
(`sop.finance.budget_odds`), with what the chance is made of in its help, and says
nothing of it without a budget."""

from __future__ import annotations

import pandas as pd
from demand_helpers import fake_values, loaded_store, store_fake_run
from tiny import tiny_tables

from sop.core import schema
from sop.demand.engine import ForecastSettings
from sop.store import Store

PAGE = "pages/finance.py"
LEAD = "Chance of meeting budget revenue"  # then a colon, escaped for Markdown


def _forecast(store: Store, tables: dict[str, pd.DataFrame]) -> None:
    """`tables` loaded with a stored forecast over the plan's 18 months whose band is
    P10 0.8x, P90 1.3x P50."""
    loaded_store(store, tables)
    months = pd.date_range("2026-01-01", periods=18, freq="MS")
    store_fake_run(store, settings=ForecastSettings(horizon=18), values=fake_values(months=months))


def test_the_budget_tab_gives_the_chance_of_meeting_the_budget(store: Store, open_app) -> None:
    _forecast(store, tiny_tables())
    at = open_app(PAGE)
    (odds,) = [m for m in at.markdown if m.value.startswith(LEAD)]
    assert "Chance of meeting budget gross margin" in odds.value
    assert "of 500 demand outcomes re\\-planned through this plan's capacity \\(Alpha " in (
        odds.value
    )
    assert "forecast band" in odds.help and "only demand varies" in odds.help


def test_without_a_budget_the_tab_says_nothing_of_it(store: Store, open_app) -> None:
    tables = tiny_tables()
    tables[schema.BUDGET] = tables[schema.BUDGET].iloc[0:0]
    _forecast(store, tables)
    at = open_app(PAGE)
    assert not [m for m in at.markdown if m.value.startswith(LEAD)]
    assert any("no budget" in w.value for w in at.warning)
