"""Header mapping: suggested (synonyms, near spellings), never applied unconfirmed,
applied when given (`--map`, the Data page), saved per company and applied to that
company's next upload only."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from tiny import snapshot, tiny_tables

from sop.__main__ import main
from sop.core import schema
from sop.data.mapping import ReadOptions, company_of, guess_table, need, parse_maps, suggest
from sop.data.validate import validate_files
from sop.store import Store, column_maps

RENAMED = {schema.MONTH: "Date", schema.SKU: "Item", schema.REGION: "Region", schema.UNITS: "qty"}
MAPS = {schema.SALES: {"Date": schema.MONTH, "Item": schema.SKU, "qty": schema.UNITS}}


def _files(rename: dict[str, str] | None = None) -> dict[str, bytes]:
    out = {}
    for name, df in tiny_tables().items():
        df = df.copy()
        for c in df.columns:
            if pd.api.types.is_datetime64_any_dtype(df[c]):
                df[c] = df[c].dt.strftime("%Y-%m")
        if name == schema.SALES:
            df = df.rename(columns=rename or {})
        out[f"{name}.csv"] = df.to_csv(index=False).encode()
    return out


@pytest.mark.parametrize(
    "headers, want",
    [
        (["Date", "Item", "Region", "qty"], {"month": "Date", "sku": "Item", "units": "qty"}),
        (
            ["period", "product", "market", "Units Sold (pcs)", "amount"],
            {"month": "period", "sku": "product", "region": "market", "units": "Units Sold (pcs)"},
        ),
        (["month_start", "article", "country", "volume"], {"month": "month_start"}),
        (["mnth", "skus", "regoin", "untis"], {"month": "mnth", "sku": "skus", "units": "untis"}),
    ],
)
def test_suggestions_for_missing_columns(headers: list[str], want: dict[str, str]) -> None:
    got = suggest(schema.SALES, headers)
    for col, header in want.items():
        assert got[col] == header
    assert len(set(got.values())) == len(got)  # a header is proposed once


def test_optional_columns_get_suggestions_too() -> None:
    got = suggest(schema.SALES, ["month", "sku", "region", "units", "sales_value"])
    assert got[schema.REVENUE] == "sales_value"


def test_a_suggestion_is_named_but_not_applied() -> None:
    report = validate_files(_files(RENAMED))
    assert not report.ok and schema.SALES not in report.tables
    said = " ".join(f.message for f in report.errors)
    assert (
        "sales.csv: column `month` is missing. `Date` looks like it: map it on the Data page "
        "or pass --map sales.Date=month." in said
    )
    assert "`qty` looks like it" in said and "--map sales.qty=units" in said
    ignored = " ".join(f.message for f in report.warnings if f.table == schema.SALES)
    assert "Date" not in ignored  # named in the errors, not also as "ignored"


def test_a_confirmed_mapping_is_applied_and_noted() -> None:
    report = validate_files(_files(RENAMED), options=ReadOptions(maps=MAPS))
    assert report.ok, [f.message for f in report.errors]
    sales = report.tables[schema.SALES]
    assert sales[schema.UNITS].sum() == tiny_tables()[schema.SALES][schema.UNITS].sum()
    notes = [f.message for f in report.warnings if f.check == "Columns are mapped"]
    assert "sales.csv: column `Date` was read as `month` (as mapped)." in notes
    assert len(notes) == 3  # Region is `region` already (case does not matter)


def test_a_mapping_never_hides_a_column_the_file_has() -> None:
    files = _files()
    text = files["sales.csv"].decode().replace("units,revenue", "units,qty", 1)
    options = ReadOptions(saved={schema.SALES: {"qty": schema.UNITS}}, saved_for="Tiny")
    report = validate_files({**files, "sales.csv": text.encode()}, options=options)
    assert not [f for f in report.warnings if f.check == "Columns are mapped"]


def test_parse_maps_and_its_messages() -> None:
    assert parse_maps(["sales.Date=month", "Sales.Units Sold=units"]) == {
        schema.SALES: {"Date": schema.MONTH, "Units Sold": schema.UNITS}
    }
    with pytest.raises(ValueError, match="`salse` is not a table.*Did you mean `sales`"):
        parse_maps(["salse.Date=month"])
    with pytest.raises(ValueError, match="no column `mnth`.*Did you mean `month`"):
        parse_maps(["sales.Date=mnth"])
    with pytest.raises(ValueError, match="write TABLE.HEADER=COLUMN"):
        parse_maps(["sales.Date"])


def test_the_table_a_file_looks_like() -> None:
    assert guess_table(["Date", "Item", "Region", "qty"]) == schema.SALES
    assert guess_table(["colour", "size"]) is None


def test_what_the_mapping_step_asks() -> None:
    n = need(schema.SALES, "sales.csv", ["Date", "Item", "Region", "qty", "note"])
    assert n.missing == (schema.MONTH, schema.SKU, schema.UNITS)
    assert n.hints == {schema.MONTH: "Date", schema.SKU: "Item", schema.UNITS: "qty"}
    assert "note" in n.free
    assert (
        need(schema.SALES, "sales.csv", ["Date", "Item", "Region", "qty"], MAPS[schema.SALES])
        is None
    )


def test_the_company_an_upload_loads_as() -> None:
    company = pd.DataFrame({"Company Name": ["Acme"], "currency": ["EUR"]})
    assert company_of(company, None, "upload") == "Acme"
    base = {schema.COMPANY: pd.DataFrame({schema.COMPANY_NAME: ["Kept"]})}
    assert company_of(None, base, "upload") == "Kept"
    assert company_of(None, None, "march refresh") == "march refresh"


def test_a_mapping_saved_for_a_company_applies_to_it_only(store: Store) -> None:
    assert column_maps.save(store, "Acme", MAPS) == 3
    column_maps.save(store, "Acme", {schema.SALES: {"Period": schema.MONTH}})  # replaces Date
    acme = column_maps.for_company(store, "Acme")
    assert acme[schema.SALES] == {"Period": schema.MONTH, "Item": schema.SKU, "qty": schema.UNITS}
    assert column_maps.for_company(store, "Other") == {}
    column_maps.save(store, "Acme", MAPS)
    files = _files(RENAMED)
    mine = validate_files(
        files, options=ReadOptions(saved=column_maps.for_company(store, "Acme"), saved_for="Acme")
    )
    assert mine.ok, [f.message for f in mine.errors]
    assert any("(the mapping saved for `Acme`)" in f.message for f in mine.warnings)
    other = validate_files(
        files, options=ReadOptions(saved=column_maps.for_company(store, "Other"), saved_for="Other")
    )
    assert not other.ok
    column_maps.forget(store, "Acme")
    assert column_maps.for_company(store, "Acme") == {}


def test_names_with_quotes_are_bound_not_interpolated(store: Store) -> None:
    evil = "x'); DROP TABLE column_maps; --"
    column_maps.save(store, evil, {schema.SALES: {evil: schema.MONTH}})
    assert column_maps.for_company(store, evil) == {schema.SALES: {evil: schema.MONTH}}


def test_command_line_map_option(tmp_path: Path, store: Store, capsys) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    for name, data in _files(RENAMED).items():
        (folder / name).write_bytes(data)
    base = ["--store", str(store.path)]
    assert main([*base, "validate", str(folder)]) == 1
    assert "--map sales.Date=month" in " ".join(capsys.readouterr().out.split())
    before = snapshot(store)
    assert main([*base, "load", str(folder), "--map", "sales.Date=mnth"]) == 2
    assert "Did you mean `month`" in capsys.readouterr().err
    assert snapshot(store) == before
    maps = ["--map", "sales.Date=month", "--map", "sales.Item=sku", "--map", "sales.qty=units"]
    assert main([*base, "load", str(folder), *maps]) == 0
    assert "column `Date` was read as `month`" in " ".join(capsys.readouterr().out.split())
    assert store.active().version == 1


def test_a_workbook_on_the_command_line(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "plan.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as w:
        for name, df in tiny_tables().items():
            df.to_excel(w, sheet_name=name, index=False)
    assert main(["--store", str(store.path), "load", str(path)]) == 0
    assert store.active().name == "plan"
