"""Every write in `sop` checks the acting person's role and records them as the author.

The role x write table, at the `sop` level: for each of the eight roles and each write
function, the real function is called on a real store (the tiny dataset with a loaded
consensus, copied from one prepared file) acting as a person holding only that role.
Allowed cells write, and the stored author is the person's signature; denied cells
raise `AccessDenied` and leave every table of the store exactly as it was. The
expectation comes from `access.ALLOWED`, and a few cells are also spelled out
literally, so a wrong `ALLOWED` cannot pass by agreeing with itself.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from demand_helpers import SETTINGS, fake_values, store_fake_run
from exec_helpers import exec_tables, load
from people import person
from tiny import AS_OF

from sop.core import access, schema
from sop.data import refresh as rf
from sop.data.validate import check_tables
from sop.demand import consensus, overrides
from sop.executive import service as executive
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.store import Store, column_maps, source_queries, users
from sop.store import decisions as decision_log
from sop.store import forecasts as forecast_store
from sop.store import overrides as override_log
from sop.store import settings as settings_store
from sop.supply import settings as plan_settings
from sop.supply.policy import FINANCE_FIELDS, SupplyPolicy

CYCLE = pd.Timestamp("2026-01-01")
COMPANY = "tiny"  # the tiny dataset's company (its dataset name)
ROLES = tuple(access.ROLES)
PLAN_OR_FINANCE = "plan or finance settings"  # the store-level settings save


@dataclasses.dataclass(frozen=True)
class Write:
    """One write function: the actions it needs (all of them; `PLAN_OR_FINANCE`: one of
    the two settings actions), how to call it, and where its author is stored."""

    name: str
    needs: tuple[str, ...]
    call: Callable[[Store, dict], object]
    author_sql: str | None = None  # the newest row's author, when the write records one


def _override(month: int = 2) -> overrides.Override:
    m = AS_OF + pd.DateOffset(months=month)
    return overrides.Override(
        level=overrides.LEVEL_FAMILY,
        start_month=m,
        end_month=m,
        kind=overrides.KIND_PCT,
        value=10.0,
        reason="promo",
        family="Alpha",
    )


def _plan() -> pd.DataFrame:
    """A consensus snapshot's rows (`forecast_store.SNAPSHOT_COLUMNS`)."""
    v = fake_values()
    return v.assign(
        **{
            schema.FAMILY: "Alpha",
            schema.FORECAST_UNITS: v[schema.P50],
            schema.UNITS: v[schema.P50],
        }
    )[forecast_store.SNAPSHOT_COLUMNS]


NEWEST = {
    "overrides": "SELECT author FROM overrides ORDER BY override_id DESC LIMIT 1",
    "events": "SELECT author FROM override_events ORDER BY event_id DESC LIMIT 1",
    "settings": "SELECT author FROM plan_settings ORDER BY settings_id DESC LIMIT 1",
    "scenarios": "SELECT author FROM scenarios ORDER BY scenario_id DESC LIMIT 1",
    "scenario_events": "SELECT author FROM scenario_events ORDER BY event_id DESC LIMIT 1",
    "decisions": "SELECT author FROM decision_log ORDER BY entry_id DESC LIMIT 1",
    "queries": "SELECT author FROM source_queries ORDER BY saved_at DESC LIMIT 1",
    "users": "SELECT changed_by FROM user_changes ORDER BY change_id DESC LIMIT 1",
}
A = access
WRITES = (
    Write(
        "overrides.add",
        (A.OVERRIDE,),
        lambda s, p: override_log.add(s, overrides.as_row(_override()), 2),
        NEWEST["overrides"],
    ),
    Write(
        "overrides.withdraw",
        (A.OVERRIDE,),
        lambda s, p: override_log.withdraw(s, p["override"], "no longer"),
        NEWEST["events"],
    ),
    Write(  # the Demand page's "Save override" and the grid's "Save consensus"
        "consensus.submit_override",
        (A.OVERRIDE,),
        lambda s, p: consensus.submit_override(s, _override(3), stack=True),
        NEWEST["overrides"],
    ),
    Write(
        "consensus.withdraw_override",
        (A.OVERRIDE,),
        lambda s, p: consensus.withdraw_override(s, p["override"], "no longer"),
        NEWEST["events"],
    ),
    Write(
        "forecasts.save_run",
        (A.FORECAST,),
        lambda s, p: store_fake_run(s, 2, dataclasses.replace(SETTINGS, horizon=5)),
    ),
    Write(
        "forecasts.save_snapshot after a run",
        (A.FORECAST,),
        lambda s, p: forecast_store.save_snapshot(
            s, pd.Timestamp("2025-11-01"), _plan(), 2, None, "run", A.FORECAST
        ),
    ),
    Write(
        "forecasts.save_snapshot after an override",
        (A.OVERRIDE,),
        lambda s, p: forecast_store.save_snapshot(
            s, pd.Timestamp("2025-11-01"), _plan(), 2, None, "override", A.OVERRIDE
        ),
    ),
    Write(
        "settings store save_policy",
        (PLAN_OR_FINANCE,),
        lambda s, p: settings_store.save_policy(s, '{"horizon": 9}'),
        NEWEST["settings"],
    ),
    Write(
        "save_policy: a plan field",
        (A.PLAN_SETTINGS,),
        lambda s, p: plan_settings.save_policy(s, SupplyPolicy(horizon=9)),
        NEWEST["settings"],
    ),
    Write(
        "save_policy: a finance field",
        (A.FINANCE_SETTINGS,),
        lambda s, p: plan_settings.save_policy(s, SupplyPolicy(price_basis="list")),
        NEWEST["settings"],
    ),
    Write(
        "save_policy: a plan and a finance field",
        (A.PLAN_SETTINGS, A.FINANCE_SETTINGS),
        lambda s, p: plan_settings.save_policy(s, SupplyPolicy(horizon=9, on_time_target_pct=90.0)),
        NEWEST["settings"],
    ),
    Write(
        "scenarios.save",
        (A.SCENARIO,),
        lambda s, p: saved_scenarios.save(s, "Push", Levers(demand_pct=3.0)),
        NEWEST["scenarios"],
    ),
    Write(
        "scenarios.archive",
        (A.SCENARIO,),
        lambda s, p: saved_scenarios.archive(s, p["scenario"]),
        NEWEST["scenario_events"],
    ),
    Write(
        "scenarios.unarchive",
        (A.SCENARIO,),
        lambda s, p: saved_scenarios.unarchive(s, p["archived"]),
        NEWEST["scenario_events"],
    ),
    Write(
        "decisions.approve",
        (A.APPROVE,),
        lambda s, p: decision_log.approve(
            s, CYCLE, 0, "Baseline", Levers().to_json(), "go", 2, '{"snap": 1}'
        ),
        NEWEST["decisions"],
    ),
    Write(  # the Decisions page's "Approve for the ... cycle"
        "executive.approve_saved",
        (A.APPROVE,),
        lambda s, p: executive.approve_saved(s, p["ctx"], p["scenario"], "go", CYCLE),
        NEWEST["decisions"],
    ),
    Write(
        "decisions.revoke",
        (A.APPROVE,),
        lambda s, p: decision_log.revoke(s, p["approval"], "wrong call"),
        NEWEST["decisions"],
    ),
    Write(
        "decisions.add_item",
        (A.ACTION_ITEM,),
        lambda s, p: decision_log.add_item(s, CYCLE, "action", "Book shifts", "Olga", CYCLE),
        NEWEST["decisions"],
    ),
    Write(
        "decisions.close_item",
        (A.ACTION_ITEM,),
        lambda s, p: decision_log.close_item(s, p["item"], "done"),
        NEWEST["decisions"],
    ),
    Write(
        "Store.load",
        (A.LOAD,),
        lambda s, p: s.load(p["tables"], name="again"),
        "SELECT loaded_by FROM datasets ORDER BY version DESC LIMIT 1",
    ),
    Write("Store.activate", (A.LOAD,), lambda s, p: s.activate(1)),
    Write(
        "column_maps.save",
        (A.LOAD,),
        lambda s, p: column_maps.save(s, COMPANY, {schema.SALES: {"Period": schema.MONTH}}),
    ),
    Write("column_maps.forget", (A.LOAD,), lambda s, p: column_maps.forget(s, COMPANY)),
    Write(
        "source_queries.save",
        (A.LOAD,),
        lambda s, p: source_queries.save(s, COMPANY, schema.SALES, "SELECT 3"),
        NEWEST["queries"],
    ),
    Write(
        "source_queries.set_all",
        (A.LOAD,),
        lambda s, p: source_queries.set_all(s, COMPANY, {schema.BUDGET: "SELECT 4"}),
        NEWEST["queries"],
    ),
    Write(
        "source_queries.delete",
        (A.LOAD,),
        lambda s, p: source_queries.delete(s, COMPANY, schema.PRODUCTS),
    ),
    Write(
        "users.set_roles",
        (A.USERS,),
        lambda s, p: users.set_roles(s, "new@example.com", {A.DEMAND_PLANNER}),
        NEWEST["users"],
    ),
    Write(
        "users.remove",
        (A.USERS,),
        lambda s, p: users.remove(s, "someone@example.com"),
        NEWEST["users"],
    ),
)
BY_NAME = {w.name: w for w in WRITES}


def allowed(role: str, write: Write) -> bool:
    """What `access.ALLOWED` says a person with only `role` may do."""
    can = access.ALLOWED[role]
    if write.needs == (PLAN_OR_FINANCE,):
        return bool({A.PLAN_SETTINGS, A.FINANCE_SETTINGS} & can)
    return all(n in can for n in write.needs)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A store file with two versions of the tiny dataset (the second active, with a
    loaded consensus and a stored run) and one item of every kind to change, made by
    the local user; and the ids of those items."""
    path = tmp_path_factory.mktemp("access") / "template.duckdb"
    store = Store(path)
    load(store)
    load(store)
    store_fake_run(store, 2)
    ids = {
        "override": consensus.submit_override(store, _override(1)),
        "scenario": saved_scenarios.save(store, "Beta push", Levers(demand_pct=5.0)),
        "archived": saved_scenarios.save(store, "Old idea", Levers(demand_pct=1.0)),
        "approval": decision_log.approve(
            store, CYCLE, 0, "Baseline", Levers().to_json(), "ok", 2, '{"snap": 0}'
        ),
        "item": decision_log.add_item(store, CYCLE, "question", "Why?", "Finn", CYCLE),
        "ctx": executive.context(store),
        "tables": check_tables(exec_tables()).tables,
    }
    saved_scenarios.archive(store, ids["archived"])
    column_maps.save(store, COMPANY, {schema.SALES: {"Date": schema.MONTH}})
    source_queries.set_all(store, COMPANY, {schema.SALES: "SELECT 1", schema.PRODUCTS: "SELECT 2"})
    users.set_roles(store, "someone@example.com", {A.VIEWER})
    return path, ids


@pytest.fixture
def fresh(prepared, tmp_path: Path) -> tuple[Store, dict]:
    """A copy of the prepared store (every test changes its own), and the ids."""
    template, ids = prepared
    path = tmp_path / "store.duckdb"
    shutil.copyfile(template, path)
    return Store(path), ids


def dump(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table of the store, sorted: equal dumps, unchanged store."""
    with store.connect() as con:
        names = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
            ).fetchall()
        ]
        return {n: con.execute(f'SELECT * FROM "{n}" ORDER BY ALL').fetchall() for n in names}


def test_the_table_covers_every_role_and_every_action_that_writes() -> None:
    assert set(ROLES) == {
        A.VIEWER,
        A.DEMAND_PLANNER,
        A.SUPPLY_PLANNER,
        A.FINANCE,
        A.SOP_OWNER,
        A.EXECUTIVE,
        A.DATA_STEWARD,
        A.ADMIN,
    }
    covered = {n for w in WRITES for n in w.needs} - {PLAN_OR_FINANCE}
    # COMMENT (sop.store.comments) and BUDGET (sop.store.budget) have their own tests
    assert covered == set(access.ACTIONS) - {A.COMMENT, A.BUDGET}


# (role, write) -> may they, written out by hand from the list of roles
LITERAL = {
    (A.EXECUTIVE, "executive.approve_saved"): True,
    (A.EXECUTIVE, "decisions.revoke"): True,
    (A.DEMAND_PLANNER, "executive.approve_saved"): False,
    (A.DEMAND_PLANNER, "decisions.approve"): False,
    (A.DEMAND_PLANNER, "consensus.submit_override"): True,
    (A.DEMAND_PLANNER, "forecasts.save_run"): True,
    (A.SUPPLY_PLANNER, "consensus.submit_override"): False,
    (A.SUPPLY_PLANNER, "save_policy: a plan field"): True,
    (A.SUPPLY_PLANNER, "save_policy: a finance field"): False,
    (A.FINANCE, "save_policy: a finance field"): True,
    (A.FINANCE, "save_policy: a plan field"): False,
    (A.FINANCE, "save_policy: a plan and a finance field"): False,
    (A.SOP_OWNER, "scenarios.save"): True,
    (A.SOP_OWNER, "decisions.close_item"): True,
    (A.SOP_OWNER, "executive.approve_saved"): False,
    (A.SOP_OWNER, "Store.load"): False,
    (A.DATA_STEWARD, "Store.load"): True,
    (A.DATA_STEWARD, "Store.activate"): True,
    (A.DATA_STEWARD, "source_queries.set_all"): True,
    (A.DATA_STEWARD, "consensus.submit_override"): False,
    (A.ADMIN, "users.set_roles"): True,
    (A.ADMIN, "consensus.submit_override"): False,
    (A.EXECUTIVE, "users.set_roles"): False,
    **{(A.VIEWER, w.name): False for w in WRITES},  # a viewer may nothing
}


@pytest.mark.parametrize("cell", sorted(LITERAL), ids=lambda c: f"{c[0]}-{c[1]}")
def test_literal_cells_agree_with_the_table(cell: tuple[str, str]) -> None:
    role, name = cell
    assert allowed(role, BY_NAME[name]) is LITERAL[cell]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("write", WRITES, ids=lambda w: w.name)
def test_role_x_write(fresh, role: str, write: Write) -> None:
    store, ids = fresh
    who = person(f"{role} person", role)
    before = dump(store) if not (allowed(role, write) and write.author_sql) else None
    if allowed(role, write):
        write.call(store.as_actor(who), ids)
        assert before is None or dump(store) != before, "an allowed write changed nothing"
        if write.author_sql:
            with store.connect() as con:
                assert con.execute(write.author_sql).fetchone()[0] == who.signature
    else:
        with pytest.raises(access.AccessDenied) as refused:
            write.call(store.as_actor(who), ids)
        assert who.signature in str(refused.value) and "Ask an admin" in str(refused.value)
        assert dump(store) == before, "a refused write changed the store"


def test_a_settings_refusal_names_the_fields(fresh) -> None:
    store, _ = fresh
    finance = store.as_actor(person("Fay", A.FINANCE))
    with pytest.raises(access.AccessDenied) as refused:
        plan_settings.save_policy(finance, SupplyPolicy(horizon=9, overtime_allowed=False))
    text = str(refused.value)
    assert "Horizon (months) (horizon)" in text and "(overtime_allowed)" in text
    assert "supply planner" in text
    supply = store.as_actor(person("Sam", A.SUPPLY_PLANNER))
    with pytest.raises(access.AccessDenied, match=r"Revenue at \(price_basis\)"):
        plan_settings.save_policy(supply, SupplyPolicy(price_basis="list"))
    # the fields a person did not touch are kept as they are: a supply planner's save
    # keeps the finance settings finance saved
    plan_settings.save_policy(finance, SupplyPolicy(risk_margin_gap_pct=4.0))
    now = plan_settings.current_policy(store)[0]
    plan_settings.save_policy(supply, now.replace(horizon=9))
    saved, who = plan_settings.current_policy(store)
    assert (saved.horizon, saved.risk_margin_gap_pct) == (9, 4.0) and "Sam" in who
    assert set(FINANCE_FIELDS) <= set(SupplyPolicy().as_dict())


def test_a_refresh_by_someone_who_may_not_load_is_refused_before_any_query(fresh) -> None:
    store, _ = fresh
    before = dump(store)
    got = rf.refresh(store.as_actor(person("Vic")), None, COMPANY)
    assert got.status == rf.REFUSED and "may not load, refresh or restore" in got.message
    assert "store is unchanged" in got.message and dump(store) == before
    steward = rf.refresh(store.as_actor(person("Dan", A.DATA_STEWARD)), None, COMPANY)
    assert steward.status == rf.REFUSED and "may not" not in steward.message  # no connection


def test_the_forecast_is_refused_before_any_fitting(fresh, monkeypatch) -> None:
    store, _ = fresh
    import sop.demand.engine as engine

    def no_fit(*a, **k):  # the role check comes first: the engine is never reached
        raise AssertionError("fitted without the role")

    monkeypatch.setattr(engine, "run_forecast", no_fit)
    with pytest.raises(access.AccessDenied, match="run the forecast"):
        consensus.run_and_store(store.as_actor(person("Sue", A.SUPPLY_PLANNER)), SETTINGS)


def test_the_local_user_holds_every_role_and_signs_as_local(fresh, monkeypatch) -> None:
    monkeypatch.setenv("SOP_USER", "Lee")
    store = Store(fresh[0].path)  # no actor: the command line, the app without sign-in
    assert store.actor.local and store.actor.roles == frozenset(ROLES)
    saved_scenarios.save(store, "Mine", Levers())
    assert saved_scenarios.list_scenarios(store)["author"].iloc[0] == "Lee (local)"
