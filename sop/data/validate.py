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
from sop.data.columns import check_keys, normalise_headers, type_columns
from sop.data.readers import ERROR, WARNING, RawTable, read_dir, read_files
from sop.data.report import ROW, Report, Run
from sop.data.rules import cross_rules, foreign_keys


def _check_raw(
    raw: dict[str, RawTable], run: Run
) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """Each raw table in load order: headers, types and keys checked; (typed tables with
    their `row` numbers, file name per table). Tables missing a column are left out."""
    typed: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    for name in TABLE_ORDER:
        if name not in raw:
            continue
        t, r = TABLES[name], raw[name]
        files[name] = r.file
        df, missing = normalise_headers(r, t, run)
        if df is None:
            continue
        run.ran("Table is not empty", name)
        if df.empty:
            if t.required:
                run.flag(
                    "Table is not empty",
                    name,
                    ERROR,
                    f"{r.file}: the file has a header but no rows. The `{name}` table "
                    "is required: export it again with its data.",
                    1,
                    r.file,
                )
            continue
        df = type_columns(r, t, df, run, tuple(missing))
        if missing:  # the values are checked; the table cannot take part further
            continue
        check_keys(t, df, r.file, run)
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


def _finish(raw: dict[str, RawTable], run: Run, roll_as_of: bool = False) -> Report:
    typed, files = _check_raw(raw, run)
    if roll_as_of:
        _roll_as_of(typed, run)
    foreign_keys(typed, files, run)
    cross_rules(typed, files, run)
    clean = {n: df.drop(columns=[ROW]) for n, df in typed.items()}
    return Report(clean, run.findings, run.checks)


def validate_files(files: dict[str, bytes], base: dict[str, pd.DataFrame] | None = None) -> Report:
    """Validate uploaded files; tables not uploaded are taken from `base` when given."""
    raw, found = read_files(files)
    run = Run()
    run.findings.extend(
        f
        for f in found
        if not (base and f.table in base and f.check == "Required files are present")
    )
    uploaded = set(raw)
    for name, df in (base or {}).items():
        if name not in raw and not any(f.table == name and f.file for f in found):
            raw[name] = RawTable(name, f"{name} (current dataset)", df)
    return _finish(raw, run, roll_as_of=schema.SALES in uploaded and schema.COMPANY not in uploaded)


def validate_dir(path: str | Path) -> Report:
    """Read and validate every table file in a folder."""
    raw, found = read_dir(path)
    run = Run()
    run.findings.extend(found)
    return _finish(raw, run)


def check_tables(tables: dict[str, pd.DataFrame]) -> Report:
    """Re-run every check on typed tables (e.g. the active dataset in the store)."""
    raw = {n: RawTable(n, f"{n} table", df) for n, df in tables.items()}
    return _finish(raw, Run())
