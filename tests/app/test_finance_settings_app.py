"""The Finance page's writes through AppTest: the finance settings (finance saves them,
others read them) and "Load budget" (a budget file replaces only the budget table; a bad
file changes nothing)."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from supply_helpers import with_consensus
from tiny import snapshot, tiny_tables

from sop.core import access, schema
from sop.data.validate import check_tables
from sop.store import Store
from sop.supply import settings as plan_settings
from sop.supply.policy import SupplyPolicy

PAGE = "pages/finance.py"


@pytest.fixture
def loaded(store: Store) -> Store:
    store.load(check_tables(with_consensus(tiny_tables(), 12)).tables, name="tiny")
    return store


def _csv(df: pd.DataFrame) -> bytes:
    out = df.copy()
    out[schema.MONTH] = out[schema.MONTH].dt.strftime("%Y-%m-%d")
    return out.to_csv(index=False).encode()


def _load_budget(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="fin_budget_file").set_value((name, data, "text/csv"))
    at.run()
    at.button(key="fin_budget_go").click().run()
    assert not at.exception, at.exception
    return at


# --- finance settings -------------------------------------------------------------------
def test_finance_saves_the_finance_settings_as_themselves(loaded: Store, open_as) -> None:
    at = open_as({access.FINANCE}, PAGE, "fay@example.com", "Fay Finance")
    assert at.selectbox(key="fin_price_basis").value == SupplyPolicy().price_basis
    at.selectbox(key="fin_price_basis").set_value("list")
    at.number_input(key="fin_risk_margin_gap_pct").set_value(5.0)
    at.button(key="fin_settings_save").click().run()
    assert not at.exception, at.exception
    assert any("Finance settings saved" in s.value for s in at.success)
    policy = plan_settings.current_policy(loaded)[0]
    assert policy == SupplyPolicy(price_basis="list", risk_margin_gap_pct=5.0)
    assert plan_settings.history(loaded)["author"].tolist() == ["Fay Finance <fay@example.com>"]
    # the plan settings are not theirs: the Supply page says so and has no save
    at.switch_page("pages/supply.py").run()
    assert not at.exception, at.exception
    assert not [b for b in at.button if b.key == "sup_settings_save"]
    assert any("may not save the plan settings" in i.value for i in at.info)
    assert not [s for s in at.selectbox if s.key == "sup_price_basis"]  # not on Supply


def test_a_supply_planner_reads_the_finance_settings_only(loaded: Store, open_as) -> None:
    at = open_as({access.SUPPLY_PLANNER}, PAGE)
    assert at.selectbox(key="fin_price_basis").disabled
    assert at.number_input(key="fin_on_time_target_pct").disabled
    assert not [b for b in at.button if b.key == "fin_settings_save"]
    assert any("may not save the finance settings" in i.value for i in at.info)
    # ... and saves the plan settings, which keep the finance fields of record
    at.switch_page("pages/supply.py").run()
    at.toggle(key="sup_overtime_allowed").set_value(False).run()
    at.button(key="sup_settings_save").click().run()
    assert not at.exception, at.exception
    assert plan_settings.current_policy(loaded)[0] == SupplyPolicy(overtime_allowed=False)


# --- load budget ------------------------------------------------------------------------
def test_load_budget_makes_a_version_with_only_the_budget_changed(loaded: Store, open_app) -> None:
    before = loaded.tables(1)
    new = before[schema.BUDGET].assign(**{schema.REVENUE: 9000.0})
    at = _load_budget(open_app(PAGE), "aop 2026.csv", _csv(new))
    assert any("as version 2" in s.value for s in at.success), [e.value for e in at.error]
    info = loaded.active()
    assert info.version == 2 and info.company == loaded.datasets().iloc[-1]["company"]
    after = loaded.tables(2)
    assert after[schema.BUDGET][schema.REVENUE].tolist() == [9000.0] * len(new)
    for name in before:
        if name != schema.BUDGET:
            pd.testing.assert_frame_equal(after[name], before[name], check_like=True)
    assert loaded.datasets().set_index("version").at[2, "source"] == "budget: aop 2026.csv"


def test_a_bad_budget_file_says_what_is_wrong_and_changes_nothing(loaded: Store, open_app) -> None:
    bad = loaded.tables(1)[schema.BUDGET].copy()
    bad.loc[0, schema.FAMILY] = "Gamma"  # no such family
    bad.loc[1, schema.UNITS] = -5.0
    before = snapshot(loaded)
    at = _load_budget(open_app(PAGE), "budget.csv", _csv(bad))
    said = "\n".join(e.value for e in at.error).replace("\\", "")
    assert "Gamma" in said and "Nothing was loaded" in said
    assert snapshot(loaded) == before


def test_only_finance_or_a_data_steward_may_load_a_budget(loaded: Store, open_as) -> None:
    at = open_as({access.DEMAND_PLANNER}, PAGE)
    assert not at.file_uploader and not [b for b in at.button if b.key == "fin_budget_go"]
    assert any("may not load a new budget" in i.value for i in at.info)
    at = open_as({access.FINANCE}, PAGE, "fay@example.com", "Fay")
    new = loaded.tables(1)[schema.BUDGET].assign(**{schema.MARGIN: 1.0})
    _load_budget(at, "budget.csv", _csv(new))
    assert loaded.active().version == 2
