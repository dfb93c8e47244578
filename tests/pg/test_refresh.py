"""`sop refresh` against a real PostgreSQL server: a refresh that finds the content of
the active version makes no version; a change in the database makes one (and the next
refresh finds no change); tables without a query come from the active dataset; a first
refresh into an empty store; the command line."""

from __future__ import annotations

import pandas as pd
from pg_server import COMPANY, good_queries
from tiny import snapshot

from sop.cli.main import main
from sop.core import schema
from sop.data import refresh as rf
from sop.store import forecasts as forecast_store
from sop.store import source_queries


def _bump(erp, sku: str = "A1", by: int = 7) -> None:
    erp.execute("UPDATE erp_monthly_sales SET qty = qty + %s WHERE item_code = %s", [by, sku])


def test_same_content_as_the_file_upload_is_no_change(loaded, source) -> None:
    before = snapshot(loaded)
    got = rf.refresh(loaded, source)
    assert got.status == rf.UNCHANGED, got.findings
    assert "No change since version 1" in got.message
    assert snapshot(loaded) == before
    assert got.rows[schema.SALES] == 144 and set(got.seconds) == {"pull", "validate", "compare"}


def test_a_change_loads_a_version_then_no_change(loaded, source, erp) -> None:
    _bump(erp)
    steps: list[tuple[int, int, str]] = []
    got = rf.refresh(loaded, source, progress=lambda d, t, label: steps.append((d, t, label)))
    assert got.status == rf.LOADED, [f.message for f in got.errors]
    assert got.version == 2 and loaded.active().version == 2
    assert steps[-1][0] == steps[-1][1] and set(got.seconds) >= {"pull", "validate", "load"}
    assert loaded.active().source.startswith("database planner@127.0.0.1:")
    key = [schema.SKU, schema.MONTH, schema.REGION]
    both = loaded.tables(1)[schema.SALES].merge(loaded.tables(2)[schema.SALES], on=key)
    assert len(both) == 144
    step = both[f"{schema.UNITS}_y"] - both[f"{schema.UNITS}_x"]
    assert (step == (both[schema.SKU] == "A1") * 7).all()
    before = snapshot(loaded)
    again = rf.refresh(loaded, source)
    assert again.status == rf.UNCHANGED and "No change since version 2" in again.message
    assert snapshot(loaded) == before and len(loaded.datasets()) == 2


def test_tables_without_a_query_come_from_the_active_dataset(loaded, source, erp) -> None:
    source_queries.set_all(loaded, COMPANY, {schema.SALES: good_queries()[schema.SALES]})
    erp.execute("TRUNCATE src_products")  # not queried any more: must not matter
    _bump(erp, "B1", 3)
    got = rf.refresh(loaded, source)
    assert got.status == rf.LOADED, [f.message for f in got.errors]
    assert list(got.rows) == [schema.SALES]
    v1, v2 = loaded.tables(1), loaded.tables(2)
    for name in v1:
        if name != schema.SALES:
            pd.testing.assert_frame_equal(v1[name], v2[name])


def test_first_refresh_into_an_empty_store(store, source) -> None:
    source_queries.set_all(store, "Acme", good_queries())
    got = rf.refresh(store, source, company="Acme")
    assert got.status == rf.LOADED, [f.message for f in got.errors]
    info = store.active()
    assert info.version == 1 and info.company == "Acme" and info.name == "Acme"
    assert rf.refresh(store, source).status == rf.UNCHANGED  # the active company's queries


def test_database_types_read_like_a_file(loaded, source) -> None:
    """timestamptz months, numeric quantities and a query ending in ; read as the upload."""
    q = (
        "SELECT item_code AS sku, period::timestamptz AS month, region, "
        "qty::numeric(10,3) AS units, amount AS revenue FROM erp_monthly_sales;"
    )
    source_queries.save(loaded, COMPANY, schema.SALES, q)
    got = rf.refresh(loaded, source)
    assert got.status == rf.UNCHANGED, [f.message for f in got.errors]


def test_content_hash_ignores_row_order_and_typing(tiny) -> None:
    from sop.data.validate import check_tables

    tables = check_tables(tiny).tables
    shuffled = {n: df.sample(frac=1.0, random_state=1) for n, df in tables.items()}
    assert rf.content_hash(tables) == rf.content_hash(shuffled)
    changed = dict(tables)
    changed[schema.SALES] = tables[schema.SALES].assign(units=tables[schema.SALES]["units"] + 1)
    assert rf.content_hash(changed) != rf.content_hash(tables)


def test_command_line(loaded, source, erp, tmp_path, capsys) -> None:
    store = ["--store", str(loaded.path)]
    assert main(["refresh", *store]) == 0
    out = capsys.readouterr()
    assert "No change since version 1" in out.out and "Rows returned: " in out.out
    _bump(erp)
    assert main(["refresh", *store]) == 0
    out = capsys.readouterr().out
    assert "Loaded version 2 from the database" in out and "Stored run" in out
    assert forecast_store.find_run(loaded, 2) is not None  # fitted, as after an upload
    _bump(erp)
    assert main(["refresh", *store, "--no-forecast"]) == 0
    assert "Loaded version 3" in capsys.readouterr().out
    assert forecast_store.find_run(loaded, 3) is None
    # a bad query: exit 2; bad data: exit 1; the store unchanged by both
    before = snapshot(loaded)
    bad = tmp_path / "bad.toml"
    bad.write_text('[queries]\nsales = "SELECT * FROM nowhere"\n')
    assert main(["source", "--queries", str(bad), *store]) == 0
    assert main(["refresh", *store]) == 2
    err = capsys.readouterr()
    assert '"nowhere" does not exist' in " ".join(err.out.split())
    assert "the store is unchanged" in err.err
    text_units = good_queries()[schema.SALES].replace("qty AS units", "'many' AS units")
    source_queries.set_all(loaded, COMPANY, {schema.SALES: text_units})
    assert main(["refresh", *store]) == 1
    assert "text where a number is expected" in capsys.readouterr().out
    assert snapshot(loaded) == before
