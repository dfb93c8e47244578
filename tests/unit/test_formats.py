"""Every file a planner may have is read right, or refused with what it is: formats
found from the bytes (xlsx, zip, gzip, Parquet, text), encodings, delimiters, decimal
commas; files that are no table are named."""

from __future__ import annotations

import gzip
import io
import os
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tiny import tiny_tables, write_tables

from sop.core import schema
from sop.data.csvtext import comma_columns, decode, sniff_delimiter
from sop.data.formats import kind_of
from sop.data.readers import read_files
from sop.data.validate import validate_dir, validate_files

Tables = dict[str, pd.DataFrame]


def _text(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].dt.strftime("%Y-%m")
    return out


def _csv(df: pd.DataFrame, **kw) -> str:
    return _text(df).to_csv(index=False, **kw)


def _files(tables: Tables | None = None) -> dict[str, bytes]:
    return {f"{n}.csv": _csv(df).encode() for n, df in (tables or tiny_tables()).items()}


def _workbook(tables: Tables, names=str) -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as w:
        for n, df in tables.items():
            df.to_excel(w, sheet_name=names(n), index=False)
    return buf.getvalue()


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _same_sales(report, tables: Tables | None = None) -> None:
    assert report.ok, [f.message for f in report.errors]
    want = (tables or tiny_tables())[schema.SALES]
    got = report.tables[schema.SALES]
    np.testing.assert_allclose(got[schema.UNITS], want[schema.UNITS])
    np.testing.assert_allclose(got[schema.REVENUE], want[schema.REVENUE])
    assert list(got[schema.MONTH]) == list(want[schema.MONTH])
    assert list(got[schema.SKU]) == list(want[schema.SKU])


def _messages(report, severity: str | None = None) -> str:
    return " ".join(f.message for f in report.findings if severity in (None, f.severity))


# --- encodings ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "codec, note",
    [
        ("utf-8", None),
        ("utf-8-sig", None),
        ("utf-16", "UTF-16"),  # with its byte-order mark
        ("utf-16-be", "UTF-16"),  # no byte-order mark: found from the NUL bytes
        ("utf-16-le", "UTF-16"),
        ("cp1252", "Windows-1252"),
    ],
)
def test_every_common_encoding_is_read_and_named(codec: str, note: str | None) -> None:
    tables = tiny_tables()
    tables[schema.PRODUCTS].at[0, schema.NAME] = "Crème brûlée – 2€"
    if codec == "latin-1":
        tables[schema.PRODUCTS].at[0, schema.NAME] = "Crème brûlée"
    files = _files(tables)
    files["products.csv"] = _csv(tables[schema.PRODUCTS]).encode(codec)
    files["sales.csv"] = _csv(tables[schema.SALES]).encode(codec)
    report = validate_files(files)
    _same_sales(report)
    assert (
        report.tables[schema.PRODUCTS].at[0, schema.NAME] == tables[schema.PRODUCTS].at[0, "name"]
    )
    assert list(report.tables[schema.SALES].columns[:4]) == [
        schema.MONTH,
        schema.SKU,
        schema.REGION,
        schema.UNITS,
    ]
    encoding = [f.message for f in report.warnings if f.check == "File encoding"]
    assert (note is None and not encoding) or (note and note in encoding[0])


def test_latin1_bytes_that_are_not_windows_1252_are_read_as_latin1() -> None:
    assert decode("Größe\x81".encode("latin-1")) == ("Größe\x81", "Latin-1")


def test_utf16_without_bom_is_not_misread_as_spaced_out_headers() -> None:
    """The bug: `column month missing, misspelled as ' s k u '?`."""
    data = _csv(tiny_tables()[schema.SALES]).encode("utf-16-le")
    assert not data.startswith(b"\xff\xfe")
    raw, found = read_files({"sales.csv": data})
    assert list(raw[schema.SALES].frame.columns[:2]) == [schema.MONTH, schema.SKU]


# --- delimiters and decimal commas ----------------------------------------------------
@pytest.mark.parametrize(
    "sep, word", [(",", None), (";", "semicolons"), ("\t", "tabs"), ("|", "pipes")]
)
def test_every_common_delimiter(sep: str, word: str | None) -> None:
    files = _files()
    files["sales.csv"] = _csv(tiny_tables()[schema.SALES], sep=sep).encode()
    report = validate_files(files)
    _same_sales(report)
    said = [f.message for f in report.warnings if f.check == "CSV delimiter"]
    assert (word is None and not said) or word in said[0]


def test_a_tab_separated_file_named_tsv() -> None:
    files = _files()
    del files["sales.csv"]
    files["sales.tsv"] = _csv(tiny_tables()[schema.SALES], sep="\t").encode()
    _same_sales(validate_files(files))


def test_decimal_commas_are_found_per_column_even_with_tabs() -> None:
    tables = tiny_tables()
    sales = tables[schema.SALES].copy()
    sales[schema.REVENUE] = sales[schema.REVENUE] * 10 + 0.25  # 1.234,25
    tables[schema.SALES] = sales
    text = _text(sales)
    text[schema.REVENUE] = [
        f"{v:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
        for v in sales[schema.REVENUE]
    ]
    assert text[schema.REVENUE].str.contains(r"\.\d{3},").any()  # dots between thousands
    files = _files(tables)
    files["sales.csv"] = text.to_csv(index=False, sep="\t").encode()
    report = validate_files(files)
    _same_sales(report, tables)
    assert any(f.check == "Decimal commas" and "`revenue`" in f.message for f in report.warnings)


def test_decimal_commas_in_a_comma_separated_file_quoted() -> None:
    tables = tiny_tables()
    text = _text(tables[schema.SALES])
    text[schema.REVENUE] = [
        f"{v:.1f}".replace(".", ",") for v in tables[schema.SALES][schema.REVENUE]
    ]
    files = _files(tables)
    files["sales.csv"] = text.to_csv(index=False).encode()  # pandas quotes "12,5"
    report = validate_files(files)
    np.testing.assert_allclose(
        report.tables[schema.SALES][schema.REVENUE], tables[schema.SALES][schema.REVENUE].round(1)
    )


def test_which_columns_have_decimal_commas() -> None:
    frame = pd.DataFrame(
        {
            "eu": ["1.234,5", "12,5", "3"],
            "us": ["1,234.5", "12.5", "3"],
            "name": ["Widget, large", "Bolt", "Nut"],
            "thousands": ["1,234", "5,678", "9"],
        }
    )
    assert comma_columns(frame, ",") == ["eu"]
    assert comma_columns(frame, ";") == ["eu", "thousands"]  # 1,234 with ; is 1.234


def test_delimiter_sniffing_prefers_the_consistent_split() -> None:
    assert sniff_delimiter("a;b;c\n1,5;2,5;3\n4;5,25;6\n") == ";"
    assert sniff_delimiter("a,b\n1,2\n") == ","
    assert sniff_delimiter("a|b|c\n1|2|3\n") == "|"
    assert sniff_delimiter("only\none\ncolumn\n") == ","


# --- workbooks, archives, Parquet -----------------------------------------------------
def test_one_workbook_with_a_sheet_per_table() -> None:
    tables = tiny_tables()
    book = _workbook(tables, names=lambda n: n.replace("_", " ").title())  # "Bill Of Resources"
    report = validate_files({"plan.xlsx": book})
    _same_sales(report)
    assert set(report.tables) >= set(tables)
    assert report.tables[schema.PRODUCTS][schema.SKU].tolist() == ["A1", "A2", "B1"]


def test_a_workbook_sheet_with_a_near_name_gets_a_did_you_mean() -> None:
    book = _workbook(tiny_tables(), names=lambda n: "Salse" if n == schema.SALES else n)
    report = validate_files({"plan.xlsx": book})
    said = _messages(report, "warning")
    assert "plan.xlsx (sheet Salse)" in said and "Did you mean `sales`" in said
    assert "look like the `sales` table" in said
    assert any(f.check == "Required files are present" for f in report.errors)


def test_a_lone_sheet_takes_the_name_of_its_workbook() -> None:
    files = _files()
    del files["sales.csv"]
    files["sales.xlsx"] = _workbook({"Sheet1": tiny_tables()[schema.SALES]})
    _same_sales(validate_files(files))


def test_several_workbooks_and_files_at_once() -> None:
    tables = tiny_tables()
    demand = {n: tables.pop(n) for n in (schema.PRODUCTS, schema.SALES)}
    files = {"demand.xlsx": _workbook(demand), "supply.xlsx": _workbook(tables)}
    _same_sales(validate_files(files))


def test_a_workbook_named_csv_is_read_as_a_workbook_with_a_note() -> None:
    files = _files()
    files["sales.csv"] = _workbook({schema.SALES: tiny_tables()[schema.SALES]})
    report = validate_files(files)
    _same_sales(report)
    assert "it is an Excel workbook (.xlsx); it was read as that" in _messages(report)


@pytest.mark.parametrize("inner", ["csv", "parquet"])
def test_gzip_files(inner: str) -> None:
    files = _files()
    del files["sales.csv"]
    sales = tiny_tables()[schema.SALES]
    if inner == "csv":
        data = _csv(sales).encode()
    else:
        buf = io.BytesIO()
        sales.to_parquet(buf, index=False)
        data = buf.getvalue()
    files[f"sales.{inner}.gz"] = gzip.compress(data)
    _same_sales(validate_files(files))


def test_a_zip_of_table_files_and_a_zip_of_a_workbook() -> None:
    tables = tiny_tables()
    inner = {f"export/{n}": b for n, b in _files(tables).items()}
    inner["export/readme.md"] = b"# not a table"
    report = validate_files({"data.zip": _zip(inner)})
    _same_sales(report)
    assert "data.zip/export/readme.md: ignored" in _messages(report, "warning")
    _same_sales(validate_files({"book.zip": _zip({"plan.xlsx": _workbook(tables)})}))


def test_parquet_files_named_or_misnamed() -> None:
    files = _files()
    buf = io.BytesIO()
    tiny_tables()[schema.SALES].to_parquet(buf, index=False)
    files["sales.csv"] = buf.getvalue()  # Parquet saved under a CSV name
    report = validate_files(files)
    _same_sales(report)
    assert "it is a Parquet file" in _messages(report)


@pytest.mark.parametrize(
    "data, what",
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a JPEG image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Excel 97-2003"),
        (os.urandom(4096), "not a table file"),
        (b"", "the file is empty"),
        (b"PK\x03\x04garbage that is no zip", "damaged zip"),
        (gzip.compress(b"month,sku\n2024-01,A1\n")[:-12], "gzip file is damaged or truncated"),
    ],
    ids=["pdf", "png", "jpeg", "xls", "random", "empty", "bad zip", "cut gzip"],
)
def test_a_file_that_is_no_table_is_a_clear_error_naming_it(data: bytes, what: str) -> None:
    files = _files()
    files["sales.csv"] = data
    report = validate_files(files)
    assert not report.ok
    hits = [f for f in report.errors if f.file == "sales.csv" and f.table == schema.SALES]
    assert hits and what in hits[0].message, [f.message for f in report.errors]
    assert schema.SALES not in report.tables


def test_an_upload_of_only_a_non_table_brings_nothing_even_with_a_base() -> None:
    base = {n: df for n, df in tiny_tables().items()}
    report = validate_files({"holiday.png": b"\x89PNG\r\n\x1a\nxxxx"}, base)
    assert not report.ok
    said = _messages(report, "error")
    assert "holiday.png" in said and "a PNG image" in said
    assert "nothing to load and no new version" in said


def test_an_unknown_file_name_in_an_upload_is_an_error_with_a_guess() -> None:
    base = tiny_tables()
    report = validate_files({"export 2024.csv": _csv(base[schema.SALES]).encode()}, base)
    assert not report.ok
    said = _messages(report, "error")
    assert "export 2024.csv: not read" in said and "look like the `sales` table" in said
    # assigned to its table by the planner, it is read
    from sop.data.mapping import ReadOptions

    report = validate_files(
        {"export 2024.csv": _csv(base[schema.SALES]).encode()},
        base,
        ReadOptions(assign={"export 2024.csv": schema.SALES}),
    )
    _same_sales(report)


def test_kind_of_reads_the_magic_bytes() -> None:
    assert kind_of(_workbook({"a": pd.DataFrame({"x": [1]})})) == "xlsx"
    assert kind_of(_zip({"a.csv": b"x\n1\n"})) == "zip"
    assert kind_of(gzip.compress(b"x")) == "gzip"
    assert kind_of(b"PAR1....") == "parquet"
    assert kind_of(b"a,b\n1,2\n") == "text"
    assert kind_of(b"") == "empty"


# --- folders --------------------------------------------------------------------------
def test_read_dir_names_a_folder_a_broken_link_and_an_unreadable_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_tables(tiny_tables(), tmp_path / "d")
    (folder / "sales.csv").unlink()
    (folder / "sales.csv").mkdir()  # a folder named like the table file
    (folder / "promotions.csv").symlink_to(tmp_path / "gone.csv")  # broken link
    report = validate_dir(folder)
    sales = [f for f in report.errors if f.table == schema.SALES]
    assert [f.message for f in sales] == [
        "sales.csv: is a folder, not a file. The `sales` table is required: put the table "
        "file itself there."
    ]  # and not also "missing"
    promo = [f for f in report.warnings if f.table == schema.PROMOTIONS]
    assert promo and "promotions.csv: is a broken link" in promo[0].message
    assert "skipped" in promo[0].message

    (folder / "sales.csv").rmdir()
    write_tables({schema.SALES: tiny_tables()[schema.SALES]}, folder)
    real = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self.name == "sales.csv":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    report = validate_dir(folder)
    said = [f.message for f in report.errors if f.table == schema.SALES]
    assert said and "sales.csv: cannot be read (Permission denied)" in said[0]


def test_validate_dir_takes_one_workbook_file(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    path.write_bytes(_workbook(tiny_tables()))
    _same_sales(validate_dir(path))


def test_a_message_shown_in_markdown_cannot_be_formatted_by_a_name() -> None:
    from sop.ui.upload import safe_md

    shown = safe_md("my_*sales*_[x](y).csv: column `a*b_c` is missing; costs $5 :red[no] <b>")
    assert "`a*b_c`" in shown  # code spans are literal already
    for escaped in ("my\\_\\*sales\\*\\_", "\\[x\\](y)", "\\$5", "\\:red\\[no\\]", "\\<b\\>"):
        assert escaped in shown
    assert safe_md("sales.csv, column `units`: 1 row is negative: row 4") == (
        "sales.csv, column `units`: 1 row is negative: row 4"
    )


def test_a_read_me_sheet_is_left_out_without_a_word() -> None:
    sheets = {"Read me": pd.DataFrame({"table": ["sales"], "what": ["actuals"]}), **tiny_tables()}
    report = validate_files({"template.xlsx": _workbook(sheets)})
    _same_sales(report)
    assert "Read me" not in _messages(report)


def test_a_web_address_in_a_message_does_not_become_a_link() -> None:
    """Review: GFM links a bare http://, www. or e-mail address after the escapes are
    read; an upload finding naming such a file or value must not show a live link."""
    from sop.core.fmt import WORD_JOINER
    from sop.ui.upload import safe_md

    shown = safe_md("http://x.example.csv from www.evil.example by a@b.example")
    for bare in ("://", "www.", "a@b"):
        assert bare not in shown
    assert shown.replace(WORD_JOINER, "").replace("\\", "") == (
        "http://x.example.csv from www.evil.example by a@b.example"
    )
