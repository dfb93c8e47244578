"""`validate` and `load` read files with the column mapping saved in the app for the
company (`sop.store.column_maps`), as the Data page does; --mapping-of names another
company's, --no-saved-mapping turns it off. A refusal says what to do and leaves the
store as it was."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from tiny import snapshot, tiny_tables, write_tables

from sop.cli.main import main
from sop.core import schema
from sop.store import Store, column_maps

RENAMED = {schema.MONTH: "Posting Date", schema.UNITS: "Qty Shipped"}
MAPPING = {schema.SALES: {header: column for column, header in RENAMED.items()}}


def _renamed(folder: Path, company: str | None = None) -> Path:
    """The tiny dataset with the sales' month and units under other headers (and a
    company table naming `company` when given)."""
    tables = tiny_tables()
    tables[schema.SALES] = tables[schema.SALES].rename(columns=RENAMED)
    if company is not None:
        tables[schema.COMPANY] = pd.DataFrame(
            {
                schema.COMPANY_NAME: [company],
                schema.CURRENCY: ["EUR"],
                schema.AS_OF_MONTH: [pd.Timestamp("2025-12-01")],
            }
        )
    return write_tables(tables, folder)


def _run(store: Store, *args: str) -> int:
    return main(["--store", str(store.path), *args])


def _text(capsys) -> str:
    got = capsys.readouterr()
    assert "Traceback" not in got.out + got.err
    return " ".join((got.out + got.err).split())


@pytest.fixture
def loaded(tmp_path: Path, store: Store) -> Store:
    """A store with the tiny dataset of company `acme` loaded."""
    assert (
        _run(store, "load", str(write_tables(tiny_tables(), tmp_path / "good")), "--name", "acme")
        == 0
    )
    return store


def test_renamed_columns_load_with_the_saved_mapping(tmp_path, loaded: Store, capsys) -> None:
    folder = _renamed(tmp_path / "export")
    capsys.readouterr()
    before = snapshot(loaded)
    assert _run(loaded, "load", str(folder), "--name", "acme") == 1
    said = _text(capsys)
    assert "sales.csv: column `month` is missing." in said
    assert "sales.csv (the `sales` table) lacks `month`, `units`" in said
    assert "`Posting Date`, `Qty Shipped`" in said
    assert "--map 'sales.HEADER=month' --map 'sales.HEADER=units'" in said
    assert "No column mapping for `sales` is saved for `acme`" in said
    assert "Nothing was loaded; the store is unchanged." in said
    assert snapshot(loaded) == before

    column_maps.save(loaded, "acme", MAPPING)  # as the Data page does after a mapped load
    assert _run(loaded, "load", str(folder), "--name", "acme") == 0
    said = _text(capsys)
    assert "column `Posting Date` was read as `month` (the mapping saved for `acme`)" in said
    info = loaded.active()
    assert info.version == 2 and info.company == "acme"
    got = loaded.tables(2)[schema.SALES]
    want = loaded.tables(1)[schema.SALES]
    pd.testing.assert_frame_equal(got, want)


def test_no_saved_mapping_fails_and_changes_nothing(tmp_path, loaded: Store, capsys) -> None:
    column_maps.save(loaded, "acme", MAPPING)
    folder = _renamed(tmp_path / "export")
    capsys.readouterr()
    before = snapshot(loaded)
    for command, name in (("validate", []), ("load", ["--name", "acme"])):
        assert _run(loaded, command, str(folder), *name, "--no-saved-mapping") == 1
        said = _text(capsys)
        assert "The mappings saved in the app were not used (--no-saved-mapping)." in said
    assert snapshot(loaded) == before
    assert column_maps.for_company(loaded, "acme") == MAPPING


def test_the_company_table_names_whose_mapping_applies(tmp_path, store: Store, capsys) -> None:
    """As in the app (`mapping.company_of`): the company table's name, not the dataset
    name, picks the mapping; validate then load agree."""
    folder = _renamed(tmp_path / "export", company="Acme Ltd")
    column_maps.save(store, "Acme Ltd", MAPPING)
    assert _run(store, "validate", str(folder)) == 0
    assert _run(store, "load", str(folder), "--name", "march") == 0
    assert "(the mapping saved for `Acme Ltd`)" in _text(capsys)
    assert store.active().company == "Acme Ltd"


def test_mapping_of_names_another_company(tmp_path, loaded: Store, capsys) -> None:
    column_maps.save(loaded, "Other Co", MAPPING)
    folder = _renamed(tmp_path / "export")
    capsys.readouterr()
    before = snapshot(loaded)
    assert _run(loaded, "load", str(folder), "--mapping-of", "Nobody") == 2
    said = _text(capsys)
    assert "--mapping-of Nobody: no column mapping is saved for `Nobody`" in said
    assert snapshot(loaded) == before
    assert _run(loaded, "load", str(folder), "--name", "acme", "--mapping-of", "Other Co") == 0
    assert "(the mapping saved for `Other Co`)" in _text(capsys)
    assert loaded.active().company == "acme"  # the dataset keeps its own company


def test_hint_names_the_active_companys_mapping(tmp_path, loaded: Store, capsys) -> None:
    column_maps.save(loaded, "acme", MAPPING)
    folder = _renamed(tmp_path / "export")  # loads as `export`: no mapping of its own
    capsys.readouterr()
    assert _run(loaded, "validate", str(folder)) == 1
    said = _text(capsys)
    assert "No column mapping for `sales` is saved for `export`" in said
    assert "add --mapping-of acme to read the files with it" in said
    assert _run(loaded, "validate", str(folder), "--mapping-of", "acme") == 0


def test_validate_never_creates_the_store(tmp_path: Path, capsys) -> None:
    path = tmp_path / "none.duckdb"
    folder = _renamed(tmp_path / "export")
    assert main(["--store", str(path), "validate", str(folder)]) == 1
    assert main(["--store", str(path), "load", str(folder)]) == 1
    assert main(["--store", str(path), "load", str(folder), "--mapping-of", "acme"]) == 2
    assert "does not exist" in _text(capsys)
    assert not path.exists()


def test_options_exclude_each_other(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["validate", str(tmp_path), "--mapping-of", "x", "--no-saved-mapping"])
    assert exc.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_a_store_that_cannot_be_read_does_not_stop_validate(tmp_path: Path, capsys) -> None:
    """A store of another format: validate reads the files without saved mappings and
    says why; --mapping-of cannot be honoured (exit 2)."""
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE store_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        con.execute("INSERT INTO store_meta VALUES ('format', '0')")
    good = write_tables(tiny_tables(), tmp_path / "good")
    assert main(["--store", str(path), "validate", str(good)]) == 0
    said = _text(capsys)
    assert "cannot be read" in said and "the files are read without them" in said
    folder = _renamed(tmp_path / "export")
    assert main(["--store", str(path), "validate", str(folder)]) == 1
    assert "were not used (they cannot be read, see above)" in _text(capsys)
    assert main(["--store", str(path), "validate", str(good), "--mapping-of", "acme"]) == 2
    assert "--mapping-of acme: The store was written in format 0" in _text(capsys)
