"""Every saved item belongs to its company: overrides, scenarios, plan settings,
decisions and snapshots of company A are not seen, applied or changed on company B's
data; a new version of A carries them forward; a store written before items carried
their company is migrated in place without losing a row; overrides whose SKU or
family left the dataset are orphaned, not applied."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from demand_helpers import MONTHS, P50, fake_values, store_fake_run
from people import person
from tiny import AS_OF, tiny_tables

from sop.core import access, schema
from sop.data.validate import check_tables
from sop.demand import consensus, overrides
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.store import Store, StoreError
from sop.store import decisions as decision_log
from sop.store import forecasts as forecast_store
from sop.store import overrides as override_log
from sop.store import scenarios as scenario_store
from sop.store import settings as settings_store
from sop.supply import settings as plan_settings
from sop.supply.policy import SupplyPolicy

CYCLE = pd.Timestamp("2026-01-01")


def company(name: str, drop_sku: str | None = None) -> dict[str, pd.DataFrame]:
    """The tiny dataset as company `name` (its `company` table), less `drop_sku`."""
    t = tiny_tables()
    t[schema.COMPANY] = pd.DataFrame(
        {schema.COMPANY_NAME: [name], schema.CURRENCY: ["EUR"], schema.AS_OF_MONTH: [AS_OF]}
    )
    if drop_sku:
        for k, df in t.items():
            if schema.SKU in df.columns:
                t[k] = df[df[schema.SKU] != drop_sku].reset_index(drop=True)
    checked = check_tables(t)
    assert checked.ok, checked.errors
    return checked.tables


def load(store: Store, name: str, drop_sku: str | None = None) -> int:
    version = store.load(company(name, drop_sku), name=f"{name} data")
    values = fake_values({k: v for k, v in P50.items() if k[0] != drop_sku})
    store_fake_run(store, version, values=values)
    return version


def alpha_pct(value: float = 25.0, **kw) -> overrides.Override:
    base = dict(family="Alpha", reason="key account win")
    base.update(kw)
    return overrides.Override(
        level=base.pop("level", overrides.LEVEL_FAMILY),
        start_month=MONTHS[0],
        end_month=MONTHS[1],
        kind=overrides.KIND_PCT,
        value=value,
        **base,
    )


def save_everything(store: Store, version: int, who: str) -> dict[str, int]:
    """One item of every kind, made on `version` by `who` (every role): their ids."""
    store = store.as_actor(person(who, *access.ROLES))
    ids = {"override": consensus.submit_override(store, alpha_pct())}
    ids["scenario"] = saved_scenarios.save(
        store, f"{who}'s case", Levers(demand_pct=5.0), "", version
    )
    plan_settings.save_policy(store, SupplyPolicy(horizon=12))
    ids["item"] = decision_log.add_item(store, CYCLE, "action", "call the buyer", who, CYCLE)
    ids["approval"] = decision_log.approve(
        store, CYCLE, 0, "Baseline", Levers().to_json(), "ok", version, '{"snap": 1}'
    )
    return ids


def test_another_company_starts_clean_and_the_next_version_carries_everything(store) -> None:
    a1 = load(store, "Acme")
    ids = save_everything(store, a1, "Ana")
    assert len(forecast_store.snapshot_cycles(store)) == 1

    load(store, "Bolt")  # another company: nothing of Acme's is seen or applied
    assert override_log.history(store).empty and override_log.active(store).empty
    assert saved_scenarios.list_scenarios(store, include_archived=True).empty
    assert plan_settings.current_policy(store) == (SupplyPolicy(), "")
    assert decision_log.log(store).empty and decision_log.stamp(store) == (0, 0)
    assert decision_log.snapshot_json(store, ids["approval"]) is None
    assert forecast_store.snapshot_cycles(store).empty
    plan = consensus.consensus(store, consensus.context(store))
    assert (plan[schema.UNITS] == plan[schema.FORECAST_UNITS]).all()
    # ... nor changed from Bolt's pages (ids from a stale page or a link)
    for act in (
        lambda: override_log.withdraw(store, ids["override"]),
        lambda: saved_scenarios.get(store, ids["scenario"]),
        lambda: saved_scenarios.archive(store, ids["scenario"]),
        lambda: decision_log.revoke(store, ids["approval"], "no"),
        lambda: decision_log.close_item(store, ids["item"], "done"),
    ):
        with pytest.raises(StoreError, match="for Bolt"):
            act()
    # Bolt's own override is Bolt's: its company is stored with it
    bolt = consensus.submit_override(store, alpha_pct(-10.0))
    assert override_log.active(store)[schema.OVERRIDE_ID].tolist() == [bolt]
    assert override_log.active(store, "Acme")[schema.OVERRIDE_ID].tolist() == [ids["override"]]

    load(store, "Acme")  # a new version of Acme: everything comes back, Bolt's does not
    assert override_log.active(store)[schema.OVERRIDE_ID].tolist() == [ids["override"]]
    assert saved_scenarios.list_scenarios(store)["scenario_id"].tolist() == [ids["scenario"]]
    assert plan_settings.current_policy(store)[0] == SupplyPolicy(horizon=12)
    assert decision_log.log(store)["entry_id"].tolist() == [ids["item"], ids["approval"]]
    assert decision_log.snapshot_json(store, ids["approval"]) == '{"snap": 1}'
    plan = consensus.consensus(store, consensus.context(store))
    alpha = plan[(plan[schema.FAMILY] == "Alpha") & (plan[schema.MONTH] == MONTHS[0])]
    assert alpha[schema.UNITS].sum() == pytest.approx(1.25 * 500)
    assert override_log.counts(store) == (2, 0)  # nothing erased


def test_a_consensus_snapshot_of_one_company_does_not_replace_anothers(store) -> None:
    load(store, "Acme")
    consensus.snapshot(store, consensus.context(store), "Acme cycle", access.FORECAST)
    load(store, "Bolt")  # same as-of month, another company
    consensus.snapshot(store, consensus.context(store), "Bolt cycle", access.FORECAST)
    assert forecast_store.snapshot_cycles(store, "Acme")["reason"].tolist() == ["Acme cycle"]
    assert forecast_store.snapshot_cycles(store, "Bolt")["reason"].tolist() == ["Bolt cycle"]


def test_overrides_on_a_sku_that_left_the_dataset_are_orphaned_not_applied(store) -> None:
    load(store, "Acme")
    a2 = consensus.submit_override(
        store, alpha_pct(50.0, level=overrides.LEVEL_SKU, family=None, sku="A2")
    )
    fam = consensus.submit_override(store, alpha_pct(10.0))
    load(store, "Acme", drop_sku="A2")
    ctx = consensus.context(store)
    applied, orphans = consensus.overrides_in_force(store, ctx)
    assert applied[schema.OVERRIDE_ID].tolist() == [fam]
    assert orphans[schema.OVERRIDE_ID].tolist() == [a2]
    assert "SKU A2 is not in the product master" in orphans[overrides.WHY].iloc[0]
    plan = consensus.consensus(store, ctx)
    a1 = plan[(plan[schema.SKU] == "A1") & (plan[schema.MONTH] == MONTHS[0])]
    assert a1[schema.UNITS].sum() == pytest.approx(1.1 * 400)  # the family +10 % only
    assert override_log.active(store)[schema.OVERRIDE_ID].tolist() == [a2, fam]  # kept


def test_split_orphans_names_what_is_missing() -> None:
    products = tiny_tables()[schema.PRODUCTS]
    rows = pd.DataFrame(
        [
            (1, "family", "Gamma", None, None),
            (2, "sku", "Alpha", "A9", None),
            (3, "sku_region", "Alpha", "A1", "West"),
            (4, "sku_region", "Alpha", "A1", "North"),
        ],
        columns=[schema.OVERRIDE_ID, schema.LEVEL, schema.FAMILY, schema.SKU, schema.REGION],
    )
    applied, orphans = overrides.split_orphans(rows, products, ["North", "South"])
    assert applied[schema.OVERRIDE_ID].tolist() == [4]
    assert orphans[overrides.WHY].tolist() == [
        "family Gamma is not in the product master of the active dataset",
        "SKU A9 is not in the product master of the active dataset",
        "region West has no sales in the active dataset",
    ]


# --- a store written before items carried their company -------------------------------
OLD_DDL = (
    "CREATE TABLE store_meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    "INSERT INTO store_meta VALUES ('format', '1')",
    # the sequences as the old store left them: the next id follows the rows below
    "CREATE SEQUENCE override_ids START 4",
    "CREATE SEQUENCE override_event_ids START 2",
    "CREATE SEQUENCE scenario_ids START 2",
    "CREATE SEQUENCE scenario_event_ids START 2",
    "CREATE SEQUENCE plan_settings_ids START 2",
    "CREATE SEQUENCE decision_ids START 3",
    "CREATE TABLE datasets (version BIGINT PRIMARY KEY, name VARCHAR NOT NULL,"
    " source VARCHAR, loaded_at TIMESTAMP NOT NULL, as_of DATE, company VARCHAR,"
    " currency VARCHAR, active BOOLEAN NOT NULL DEFAULT FALSE)",
    "INSERT INTO datasets VALUES (3, 'a', '', now()::TIMESTAMP, NULL, 'Acme', 'EUR', FALSE),"
    " (4, 'b', '', now()::TIMESTAMP, NULL, 'Bolt', 'EUR', TRUE)",
    "CREATE TABLE overrides (override_id BIGINT PRIMARY KEY,"
    " created_at TIMESTAMP NOT NULL, author VARCHAR NOT NULL, reason VARCHAR NOT NULL,"
    " level VARCHAR NOT NULL, family VARCHAR, sku VARCHAR, region VARCHAR,"
    " start_month DATE NOT NULL, end_month DATE NOT NULL, kind VARCHAR NOT NULL,"
    " value DOUBLE NOT NULL, dataset_version BIGINT)",
    "INSERT INTO overrides VALUES"
    " (1, now()::TIMESTAMP, 'Ana', 'r', 'family', 'Alpha', NULL, NULL,"
    " DATE '2026-01-01', DATE '2026-02-01', 'pct', 10, 3),"
    " (2, now()::TIMESTAMP, 'Bo', 'r', 'family', 'Beta', NULL, NULL,"
    " DATE '2026-01-01', DATE '2026-02-01', 'pct', 20, 4),"
    " (3, now()::TIMESTAMP, 'Cy', 'r', 'family', 'Beta', NULL, NULL,"
    " DATE '2026-01-01', DATE '2026-02-01', 'pct', 30, 1)",  # version 1: pruned long ago
    "CREATE TABLE override_events (event_id BIGINT PRIMARY KEY,"
    " override_id BIGINT NOT NULL, event_at TIMESTAMP NOT NULL, author VARCHAR NOT NULL,"
    " action VARCHAR NOT NULL, note VARCHAR)",
    "INSERT INTO override_events VALUES (1, 1, now()::TIMESTAMP, 'Ana', 'withdraw', NULL)",
    "CREATE TABLE scenarios (scenario_id BIGINT PRIMARY KEY,"
    " name VARCHAR NOT NULL, description VARCHAR, author VARCHAR NOT NULL,"
    " created_at TIMESTAMP NOT NULL, levers_json VARCHAR NOT NULL, dataset_version BIGINT)",
    "INSERT INTO scenarios VALUES (1, 'acme case', '', 'Ana', now()::TIMESTAMP, '{}', 3)",
    "CREATE TABLE scenario_events (event_id BIGINT PRIMARY KEY,"
    " scenario_id BIGINT NOT NULL, event_at TIMESTAMP NOT NULL, author VARCHAR NOT NULL,"
    " action VARCHAR NOT NULL)",
    "INSERT INTO scenario_events VALUES (1, 1, now()::TIMESTAMP, 'Ana', 'archive')",
    "CREATE TABLE plan_settings (settings_id BIGINT PRIMARY KEY,"
    " saved_at TIMESTAMP NOT NULL, author VARCHAR NOT NULL, policy_json VARCHAR NOT NULL)",
    "INSERT INTO plan_settings VALUES (1, now()::TIMESTAMP, 'Ana', '{}')",
    "CREATE TABLE decision_log (entry_id BIGINT PRIMARY KEY,"
    " cycle DATE NOT NULL, kind VARCHAR NOT NULL, made_at TIMESTAMP NOT NULL,"
    " author VARCHAR NOT NULL, note VARCHAR NOT NULL, owner VARCHAR, due DATE,"
    " ref_id BIGINT, scenario_id BIGINT, scenario_name VARCHAR, levers_json VARCHAR,"
    " dataset_version BIGINT)",
    "INSERT INTO decision_log VALUES (1, DATE '2026-01-01', 'approve', now()::TIMESTAMP,"
    " 'Ana', 'ok', NULL, NULL, NULL, 0, 'Baseline', '{}', 3),"
    " (2, DATE '2026-01-01', 'action', now()::TIMESTAMP, 'Bo', 'call', 'Bo',"
    " DATE '2026-01-15', NULL, NULL, NULL, NULL, NULL)",
    "CREATE TABLE plan_snapshots (entry_id BIGINT PRIMARY KEY, snapshot_json VARCHAR NOT NULL)",
    "INSERT INTO plan_snapshots VALUES (1, '{\"s\": 1}')",
    "CREATE TABLE consensus_snapshots (as_of DATE NOT NULL,"
    " taken_at TIMESTAMP NOT NULL, dataset_version BIGINT, run_id BIGINT, reason VARCHAR,"
    " month DATE NOT NULL, sku VARCHAR NOT NULL, region VARCHAR NOT NULL, family VARCHAR,"
    " forecast_units DOUBLE, units DOUBLE)",
    "INSERT INTO consensus_snapshots VALUES (DATE '2025-12-01', now()::TIMESTAMP, 3, 1,"
    " 'old', DATE '2026-01-01', 'A1', 'North', 'Alpha', 1, 1)",
)
OLD_TABLES = (
    "overrides",
    "override_events",
    "scenarios",
    "scenario_events",
    "plan_settings",
    "decision_log",
    "plan_snapshots",
    "consensus_snapshots",
)


def test_an_old_store_gains_the_company_in_place_and_keeps_every_row(tmp_path) -> None:
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    for ddl in OLD_DDL:
        con.execute(ddl)
    before = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in OLD_TABLES}
    con.close()

    store = Store(path)
    with store.connect() as con:
        after = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in OLD_TABLES}
        owners = {
            t: dict(con.execute(f"SELECT {key}, company FROM {t}").fetchall())
            for t, key in (
                ("overrides", "override_id"),
                ("override_events", "override_id"),
                ("scenarios", "scenario_id"),
                ("scenario_events", "scenario_id"),
                ("plan_settings", "settings_id"),
                ("decision_log", "entry_id"),
                ("plan_snapshots", "entry_id"),
                ("consensus_snapshots", "run_id"),
            )
        }
    assert after == before
    # from the version each was made on; a version no longer kept: the active company
    assert owners["overrides"] == {1: "Acme", 2: "Bolt", 3: "Bolt"}
    assert owners["override_events"] == {1: "Acme"}  # its override's company
    assert owners["scenarios"] == {1: "Acme"} and owners["scenario_events"] == {1: "Acme"}
    assert owners["plan_settings"] == {1: "Bolt"}  # no version: the active company
    assert owners["decision_log"] == {1: "Acme", 2: "Bolt"}
    assert owners["plan_snapshots"] == {1: "Acme"}
    assert owners["consensus_snapshots"] == {1: "Acme"}
    # the migrated store reads and writes as a new one
    assert override_log.active(store)[schema.OVERRIDE_ID].tolist() == [2, 3]
    assert override_log.history(store, "Acme")[schema.STATUS].tolist() == ["withdrawn"]
    assert scenario_store.list_scenarios(store, True, "Acme")["archived"].tolist() == [True]
    assert decision_log.snapshot_json(store, 1, "Acme") == '{"s": 1}'
    assert settings_store.save_policy(store, "{}") == 2  # the sequences still count
    assert Store(path).active().company == "Bolt"


def test_a_refresh_without_a_company_table_stays_with_the_kept_company(store) -> None:
    """A minimal dataset has no company table: its company is the dataset's name. The
    next month's upload under another name, keeping the other tables, must stay that
    company (its overrides still apply), not become a new company named after it."""
    from sop.data.mapping import company_of

    tables = company("Acme")
    del tables[schema.COMPANY]
    first = store.load(tables, name="March actuals")
    assert store.active().company == "March actuals"
    override_log.add(store, overrides.as_row(alpha_pct()), first)
    kept = company_of(None, tables, "April actuals", store.active().company)
    assert kept == "March actuals"
    assert company_of(None, tables, "April actuals") == "April actuals"
    second = store.load(tables, name="April actuals", company=kept)
    assert store.active().version == second and store.active().company == "March actuals"
    assert len(override_log.active(store)) == 1
    other = store.load(tables, name="Other firm")
    assert store.active().version == other and override_log.active(store).empty
