"""Validation: raw files -> typed tables plus every finding, worded for a planner.

`validate_files` / `validate_dir` read and check a dataset; `check_tables`
re-checks typed tables (the active dataset in the store). Each check is named,
so the Data page can list every check with pass / warning / fail. The checks of
one file are in `sop.data.columns`, the rules across tables in `sop.data.rules` and
`sop.data.resource_rules`; `sop.data.report` collects what they find.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sop.core import schema
from sop.core.tables import TABLE_ORDER, TABLES
from sop.data.columns import check_keys, type_columns
from sop.data.defaults import complete
from sop.data.formats import Part
from sop.data.headers import normalise_headers
from sop.data.mapping import ReadOptions
from sop.data.readers import (
    ERROR,
    REQUIRED,
    WARNING,
    Finding,
    RawTable,
    match_parts,
    read_dir,
    read_files,
    read_parts,
)
from sop.data.report import ROW, Report, Run
from sop.data.rules import cross_rules, foreign_keys

NOTHING = "The upload brings a table"


def _check_raw(
    raw: dict[str, RawTable], run: Run, options: ReadOptions | None = None
) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """Each raw table in load order: headers (mapped as `options` say), types and keys
    checked; (typed tables with their `row` numbers, file name per table). Tables
    missing a column or waiting for the order of their dates are left out."""
    options = options or ReadOptions()
    typed: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    for name in TABLE_ORDER:
        if name not in raw:
            continue
        t, r = TABLES[name], raw[name]
        files[name] = r.file
        df, missing = normalise_headers(
            r, t, run, options.maps.get(name), options.saved.get(name), options.saved_for
        )
        if df is None:
            continue
        run.ran("Table is not empty", name)
        if df.empty:
            # an empty optional table is worth a word when it came as a file, not when it
            # is a stored table (`check_tables`) or kept from the current dataset
            if t.required or not r.file.endswith((" table", "(current dataset)")):
                run.flag(
                    "Table is not empty",
                    name,
                    ERROR if t.required else WARNING,
                    f"{r.file}: the file has a header but no rows. "
                    + (
                        f"The `{name}` table is required: export it again with its data."
                        if t.required
                        else f"It is left out, as if there were no `{name}` file (see the "
                        "assumptions on the Data page); export it again with its data if "
                        "that is wrong."
                    ),
                    1,
                    r.file,
                )
            continue
        df, unread, unordered = type_columns(r, t, df, run, tuple(missing), options.dayfirst)
        if missing or unordered:  # the values are checked; the table cannot take part further
            continue
        check_keys(t, df, r.file, run, unread)
        typed[name] = df
    return typed, files


def _roll_as_of(typed: dict[str, pd.DataFrame], run: Run) -> None:
    """New sales uploaded over a kept company table: move the as-of month forward to the
    last month of the new actuals (a monthly refresh is just sales.csv)."""
    company, sales = typed.get(schema.COMPANY), typed.get(schema.SALES)
    if company is None or sales is None or company.empty or sales[schema.MONTH].dropna().empty:
        return
    old, new = company[schema.AS_OF_MONTH].iloc[0], sales[schema.MONTH].max()
    if pd.notna(old) and new > old:
        typed[schema.COMPANY] = company.assign(**{schema.AS_OF_MONTH: new})
        run.flag(
            "As-of month follows the actuals",
            schema.COMPANY,
            WARNING,
            f"The uploaded sales run to {new:%Y-%m}: the as-of month moves from "
            f"{old:%Y-%m} to {new:%Y-%m} (the company table was kept from the current "
            "dataset). The plan now starts the month after.",
            1,
            None,
            schema.AS_OF_MONTH,
        )


def _finish(
    raw: dict[str, RawTable],
    run: Run,
    roll_as_of: bool = False,
    options: ReadOptions | None = None,
) -> Report:
    typed, files = _check_raw(raw, run, options)
    if roll_as_of:
        _roll_as_of(typed, run)
    full = complete(typed)  # references and coverage are judged with the defaults filled
    foreign_keys(typed, files, run, full)
    cross_rules(typed, files, run, full)
    clean = {n: df.drop(columns=[ROW]) for n, df in typed.items()}
    return Report(clean, run.findings, run.checks)


def validate_files(
    files: dict[str, bytes],
    base: dict[str, pd.DataFrame] | None = None,
    options: ReadOptions | None = None,
) -> Report:
    """Validate uploaded files (any format `sop.data.readers` reads), as `options` map
    them; tables not uploaded are taken from `base` when given. An upload that brings
    no table is an error, with or without `base`: it must never load as a new version
    of the current data."""
    return validate_parts(read_parts(files), base, options)


def validate_parts(
    parts: list[Part],
    base: dict[str, pd.DataFrame] | None = None,
    options: ReadOptions | None = None,
) -> Report:
    """`validate_files` of files already opened (`sop.data.readers.read_parts`)."""
    options = options or ReadOptions()
    got = match_parts(parts, options.assign, strict=True)
    raw, found = got.raw, got.findings
    run = Run()
    run.findings.extend(f for f in found if not (base and f.table in base and f.check == REQUIRED))
    uploaded = set(raw)
    if not uploaded and not any(f.table in TABLES and f.file for f in found):
        run.flag(
            NOTHING,
            "-",
            ERROR,
            f"{', '.join(sorted({p.source for p in parts})) or 'The upload'}: no file (or "
            "sheet) of the upload is "
            "a table of the data model, so there is nothing to load and no new version is "
            "made. Name each file or sheet after its table (sales.csv, a sheet `sales`), or "
            "choose its table on the Data page.",
        )
    for name, df in (base or {}).items():
        if name not in raw and not any(f.table == name and f.file for f in found):
            raw[name] = RawTable(name, f"{name} (current dataset)", df)
    return _finish(
        raw,
        run,
        roll_as_of=schema.SALES in uploaded and schema.COMPANY not in uploaded,
        options=options,
    )


def validate_raw(
    raw: dict[str, RawTable],
    found: list[Finding] | None = None,
    base: dict[str, pd.DataFrame] | None = None,
    options: ReadOptions | None = None,
) -> Report:
    """Validate tables already read (e.g. database query results, `sop.data.refresh`) like
    an upload: tables not in `raw` are taken from `base` when given; `found` are the
    findings of the reading."""
    run = Run()
    run.findings.extend(found or [])
    given = set(raw)
    raw = dict(raw)
    for name, df in (base or {}).items():
        if name not in raw:
            raw[name] = RawTable(name, f"{name} (current dataset)", df)
    return _finish(
        raw, run, roll_as_of=schema.SALES in given and schema.COMPANY not in given, options=options
    )


def validate_dir(path: str | Path, options: ReadOptions | None = None) -> Report:
    """Read and validate every table file in a folder, or one file (a workbook with a
    sheet per table, a zip of table files), as `options` map them."""
    options = options or ReadOptions()
    path = Path(path)
    if path.is_file():
        raw, found = read_files({path.name: path.read_bytes()}, options.assign)
    else:
        raw, found = read_dir(path)
    run = Run()
    run.findings.extend(found)
    return _finish(raw, run, options=options)


def check_tables(tables: dict[str, pd.DataFrame]) -> Report:
    """Re-run every check on typed tables (e.g. the active dataset in the store)."""
    raw = {n: RawTable(n, f"{n} table", df) for n, df in tables.items()}
    return _finish(raw, Run())
