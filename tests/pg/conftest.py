"""The PostgreSQL tests' fixtures: one real server for the session (started by initdb and
pg_ctl in a temporary folder, stopped and removed at the end whatever happens), the
tiny dataset in its `erp` database, and a store holding the tiny dataset as version 1.

A server that cannot start fails the tests loudly: these tests run in `make test`
and are never skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from pg_server import (
    ADMIN,
    ADMIN_PASSWORD,
    COMPANY,
    DATABASE,
    PLANNER,
    PLANNER_PASSWORD,
    PgServer,
    ServerError,
    fill,
    good_queries,
)
from tiny import tiny_tables

from sop.data.source import DSN_ENV, SourceConfig, load_config
from sop.data.validate import check_tables
from sop.store import Store, source_queries

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of this folder `pg` (a real PostgreSQL server)."""
    for item in items:
        if HERE in Path(item.fspath).resolve().parents:
            item.add_marker(pytest.mark.pg)


@pytest.fixture(scope="session")
def pg() -> Iterator[PgServer]:
    try:
        server = PgServer()
    except ServerError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        server.start()
        with psycopg.connect(server.dsn(ADMIN, ADMIN_PASSWORD, "postgres"), autocommit=True) as con:
            con.execute(f"CREATE ROLE {PLANNER} LOGIN PASSWORD '{PLANNER_PASSWORD}'")
            con.execute(f"CREATE DATABASE {DATABASE}")
        with server.admin() as con:
            fill(con, tiny_tables())
            con.execute("CREATE TABLE secret_costs (sku text, cost double precision)")
            con.execute("CREATE SEQUENCE order_numbers")
            con.execute(f"GRANT USAGE ON SEQUENCE order_numbers TO {PLANNER}")
            con.execute(
                "CREATE FUNCTION wipe_sales() RETURNS bigint LANGUAGE sql AS "
                "$$ DELETE FROM erp_monthly_sales RETURNING 1 $$"
            )
        yield server
    except ServerError as exc:
        pytest.fail(str(exc), pytrace=False)
    finally:
        server.stop()


@pytest.fixture
def erp(pg: PgServer) -> Iterator[psycopg.Connection]:
    """The admin's connection to the erp database; the tiny tables are written back
    afterwards, so a test may change them."""
    with pg.admin() as con:
        yield con
        fill(con, tiny_tables())


@pytest.fixture
def source(pg: PgServer, monkeypatch: pytest.MonkeyPatch, tmp_path) -> SourceConfig:
    """The planner's connection settings, from SOP_SOURCE_DSN (no secrets file)."""
    monkeypatch.setenv(DSN_ENV, pg.dsn())
    config = load_config(secrets=tmp_path / "no-secrets.toml", timeout_s=20)
    assert config is not None
    return config


@pytest.fixture
def loaded(store: Store, tiny) -> Store:
    """The store with the tiny dataset as version 1 (company `tiny`) and the good
    queries saved for it."""
    report = check_tables(tiny)
    assert report.ok, report.errors
    store.load(report.tables, name=COMPANY)
    source_queries.set_all(store, COMPANY, good_queries())
    return store
