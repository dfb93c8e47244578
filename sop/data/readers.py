"""Reading a dataset's files (Parquet or CSV) into raw DataFrames.

Reading never raises on bad files: every problem becomes a `Finding` so the
planner sees all of them at once. Typing and rules live in `sop.validate`.
"""
from __future__ import annotations

import csv
import difflib
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sop.core.tables import TABLES

ERROR, WARNING = "error", "warning"
SUFFIXES = (".parquet", ".csv")
ENCODINGS = (("utf-8-sig", "UTF-8"), ("cp1252", "Windows-1252"), ("latin-1", "Latin-1"))
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


@dataclass(frozen=True)
class Finding:
    """One problem found in the data, worded for a planner.

    `examples` holds up to a few offending rows, with `row` = the 1-based data
    row in the file (row 1 is the first line below a CSV header).
    """

    check: str
    table: str
    severity: str
    message: str
    count: int = 1
    file: str | None = None
    column: str | None = None
    examples: pd.DataFrame | None = None


@dataclass(frozen=True)
class RawTable:
    """A table as read from its file: every column as text or native type."""

    table: str
    file: str
    frame: pd.DataFrame
    decimal_comma: bool = False


def _suggest(name: str, choices: list[str]) -> str:
    near = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f" Did you mean `{near[0]}`?" if near else ""


def _decode(data: bytes) -> tuple[str, str]:
    for codec, label in ENCODINGS:
        try:
            return data.decode(codec), label
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")


def _sniff_delimiter(text: str) -> str:
    head = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(head, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        return ","


def read_csv_bytes(table: str, file: str, data: bytes) -> tuple[RawTable | None, list[Finding]]:
    """Read CSV bytes as text columns, detecting encoding and delimiter."""
    findings: list[Finding] = []
    text, encoding = _decode(data)
    if encoding != "UTF-8":
        findings.append(Finding(
            "File encoding", table, WARNING,
            f"{file}: the file is not UTF-8; it was read as {encoding}. Check that accented "
            "names look right, and save as 'CSV UTF-8' next time.", file=file))
    if not text.strip():
        return None, [Finding("Table is not empty", table, ERROR,
                              f"{file}: the file is empty. Export the table again with its "
                              "header row and data.", file=file)]
    sep = _sniff_delimiter(text)
    if sep != ",":
        findings.append(Finding(
            "CSV delimiter", table, WARNING,
            f"{file}: columns are separated by {DELIMITERS[sep]}s, not commas; it was read "
            f"that way{' with decimal commas' if sep == ';' else ''}.", file=file))
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                            na_values=[""], skipinitialspace=True)
    except (pd.errors.ParserError, ValueError) as exc:
        return None, findings + [Finding(
            "File can be read", table, ERROR,
            f"{file}: the CSV cannot be parsed ({exc}). Check for unquoted delimiters or "
            "quotes inside values, and re-export it.", file=file)]
    return RawTable(table, file, frame, decimal_comma=sep == ";"), findings


def read_parquet_bytes(table: str, file: str, data: bytes) -> tuple[RawTable | None, list[Finding]]:
    """Read Parquet bytes; a corrupt or truncated file is a finding, not an exception."""
    try:
        arrow = pq.read_table(pa.BufferReader(data))
        frame = arrow.to_pandas()
    except (pa.ArrowException, OSError, ValueError) as exc:
        return None, [Finding(
            "File can be read", table, ERROR,
            f"{file}: the Parquet file is corrupt or truncated and cannot be read ({exc}). "
            "Export it again; if it was copied, check the copy finished.", file=file)]
    return RawTable(table, file, frame.reset_index(drop=True)), []


def read_files(files: dict[str, bytes]) -> tuple[dict[str, RawTable], list[Finding]]:
    """Read a dataset given as {file name: bytes}; names are `<table>.parquet|.csv`."""
    findings: list[Finding] = []
    by_table: dict[str, list[str]] = {}
    known = list(TABLES)
    for file in sorted(files):
        stem, suffix = Path(file).stem.strip().lower(), Path(file).suffix.lower()
        if suffix not in SUFFIXES:
            if not file.startswith("."):
                findings.append(Finding(
                    "Files are tables of the data model", "-", WARNING,
                    f"{file}: ignored; only .parquet and .csv files are read.", file=file))
            continue
        if stem not in TABLES:
            findings.append(Finding(
                "Files are tables of the data model", "-", WARNING,
                f"{file}: ignored, `{stem}` is not a table of the data model."
                f"{_suggest(stem, known)} Tables are: {', '.join(known)}.", file=file))
            continue
        by_table.setdefault(stem, []).append(file)

    raw: dict[str, RawTable] = {}
    for table, names in by_table.items():
        names = sorted(names, key=lambda n: Path(n).suffix.lower() != ".parquet")
        if len(names) > 1:
            findings.append(Finding(
                "One file per table", table, WARNING,
                f"{', '.join(names)}: two files for `{table}`; {names[0]} was used. Remove "
                "the other so there is no doubt which one is current.", file=names[1]))
        file = names[0]
        reader = read_parquet_bytes if file.lower().endswith(".parquet") else read_csv_bytes
        got, found = reader(table, file, files[file])
        findings.extend(found)
        if got is not None:
            raw[table] = got
    for name, t in TABLES.items():
        if t.required and name not in by_table:
            findings.append(Finding(
                "Required files are present", name, ERROR,
                f"{name}.parquet / {name}.csv: missing. The `{name}` table is required "
                f"({t.meaning}) Add the file to the folder and load again."))
    return raw, findings


def read_dir(path: str | Path) -> tuple[dict[str, RawTable], list[Finding]]:
    """Read every table file in a folder (see `read_files`)."""
    folder = Path(path)
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "no such folder"
        return {}, [Finding("Folder exists", "-", ERROR,
                            f"{folder}: {what}. Give the folder that holds the "
                            "table files (products.csv, sales.csv, ...).")]
    files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
    return read_files(files)
