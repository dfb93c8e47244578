"""Numbers and months no plan can use are refused by validation with the usual message:
infinite and absurdly large numbers in every numeric column of every table, years
outside 1900-2200 in every month column (`company.as_of_month = 9999-12` included),
through `validate_files` and through `python -m sop validate` / `load`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from tiny import snapshot, tiny_tables, write_tables

from sop.__main__ import main
from sop.core import schema
from sop.core.tables import TABLES
from sop.data.columns import LARGEST, SIZES, YEARS
from sop.data.demo import build_demo
from sop.data.readers import ERROR
from sop.data.validate import validate_files
from sop.demand import overrides
from sop.store import Store

HUGE = ["inf", "-inf", "Infinity", "1e308", "-1e308", f"{LARGEST * 10:.0f}"]
FAR_MONTHS = ["9999-12", "1850-01-01", "2201-01"]


def _every_table() -> dict[str, pd.DataFrame]:
    """The demo dataset plus the two tables it lacks (family capacity, consensus)."""
    tables = build_demo()
    tables[schema.FAMILY_CAPACITY] = pd.DataFrame(
        {
            schema.FAMILY: ["Cooling", "Heating"],
            "units_per_month": [500.0, 400.0],
            schema.MONTH: [None, None],  # every month
        }
    )
    sales = tables[schema.SALES]
    tables[schema.CONSENSUS] = pd.DataFrame(
        {
            schema.MONTH: ["2026-11-01", "2026-12-01"],
            schema.SKU: [sales[schema.SKU].iloc[0]] * 2,
            schema.REGION: [sales[schema.REGION].iloc[0]] * 2,
            schema.UNITS: [100.0, 120.0],
        }
    )
    return tables


def _columns(dtype: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(t.name, c.name) for t in TABLES.values() for c in t.columns if c.dtype in dtype]


def _validate(tables: dict[str, pd.DataFrame]):
    return validate_files({f"{n}.csv": df.to_csv(index=False).encode() for n, df in tables.items()})


def _corrupt(tables: dict[str, pd.DataFrame], table: str, column: str, value: str):
    df = tables[table].astype({column: "object"}).copy()
    df.at[df.index[-1], column] = value
    return {**tables, table: df}, len(df)  # the last row: file row len(df)


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    t = _every_table()
    assert _validate(t).ok
    return t


def _corrupt_all(tables: dict[str, pd.DataFrame], columns: list[tuple[str, str]], value: str):
    """Every column in `columns` holding `value` in its table's last row; (the tables,
    the file row of each table's last row)."""
    out, rows = dict(tables), {}
    for table, column in columns:
        out[table], rows[table] = _corrupt(out, table, column, value)[0][table], len(out[table])
    return out, rows


def _refused_everywhere(tables, columns, value, check) -> None:
    """One error of `check` per column, naming file, column, row and value."""
    bad, rows = _corrupt_all(tables, columns, value)
    report = _validate(bad)
    assert not report.ok
    found = {}
    for f in report.findings:
        if f.check == check:
            assert f.severity == ERROR
            found.setdefault(f.message.split(":")[0], []).append(f.message)
    for table, column in columns:
        where = f"{table}.csv, column `{column}`"
        assert len(found.get(where, [])) == 1, (where, list(found))
        message = found[where][0]
        for part in (f"row {rows[table]}", value):
            assert part in message, message


@pytest.mark.parametrize("value", HUGE)
def test_infinite_and_absurd_numbers_are_refused_in_every_numeric_column(tables, value) -> None:
    columns = _columns((schema.FLOAT, schema.INT))
    assert len(columns) > 25
    _refused_everywhere(tables, columns, value, SIZES)


@pytest.mark.parametrize("value", FAR_MONTHS)
def test_years_outside_1900_2200_are_refused_in_every_month_column(tables, value) -> None:
    columns = _columns((schema.DATE,))
    assert len(columns) > 10
    _refused_everywhere(tables, columns, value, YEARS)


def test_the_largest_plausible_number_is_accepted(tables) -> None:
    ok, _ = _corrupt(tables, schema.BUDGET, schema.REVENUE, f"{LARGEST:.0f}")
    assert not [f for f in _validate(ok).findings if f.check == SIZES]


@pytest.mark.parametrize(
    ("table", "column", "value", "check"),
    [
        (schema.COMPANY, schema.AS_OF_MONTH, "9999-12", YEARS),
        (schema.SALES, schema.UNITS, "inf", SIZES),
        (schema.INVENTORY, "on_hand_units", "1e308", SIZES),
        (schema.CAPACITY, "working_days", "-inf", SIZES),
    ],
)
def test_cli_validate_and_load_refuse_with_the_message(
    tmp_path: Path, capsys, table, column, value, check
) -> None:
    """Exit 1 (the usual exit of a dataset with errors, not 3, a crash) and the store
    as it was."""
    t = tiny_tables()
    t[schema.COMPANY] = pd.DataFrame(
        {schema.COMPANY_NAME: ["Tiny"], schema.CURRENCY: ["EUR"], schema.AS_OF_MONTH: ["2025-12"]}
    )
    t, row = _corrupt(t, table, column, value)
    folder = write_tables(t, tmp_path / "bad")
    store_path = tmp_path / "s.duckdb"
    before = snapshot(Store(store_path))
    assert main(["validate", str(folder)]) == 1
    out = capsys.readouterr()
    assert f"{table}.csv, column `{column}`" in out.out + out.err
    assert f"row {row}" in out.out + out.err and value in out.out + out.err
    assert main(["load", str(folder), "--store", str(store_path)]) == 1
    assert "Nothing was loaded" in capsys.readouterr().out
    assert snapshot(Store(store_path)) == before


@pytest.mark.parametrize(
    ("currency", "ok"),
    [
        ("EUR", True),
        ("usd", True),
        ("[x](http://evil.example)", False),
        ("€", False),
        ("EURO", False),
    ],
)
def test_the_currency_is_a_three_letter_code(tables, currency: str, ok: bool) -> None:
    """It is shown next to every amount: a name or a link there would be everywhere."""
    t, _ = _corrupt(tables, schema.COMPANY, schema.CURRENCY, currency)
    found = [f for f in _validate(t).findings if f.check == "Currency is a code"]
    assert (found == []) == ok
    if not ok:
        assert found[0].severity == ERROR and "company.csv, column `currency`" in found[0].message


@pytest.mark.parametrize("value", [1e308, -1e13, 2e12])
def test_an_override_of_absurd_size_is_refused(value: float) -> None:
    t = tiny_tables()
    kind = overrides.KIND_UNITS if value > 0 else overrides.KIND_PCT
    ov = overrides.Override(
        overrides.LEVEL_FAMILY,
        pd.Timestamp("2026-01-01"),
        pd.Timestamp("2026-02-01"),
        kind,
        value,
        "typed",
        family="Alpha",
    )
    problems = overrides.check_override(
        ov, t[schema.PRODUCTS], ["North", "South"], pd.Timestamp("2026-01-01")
    )
    assert any("at most 1,000,000,000,000" in p for p in problems), problems
