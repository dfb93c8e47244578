"""Reading a dataset's files into raw DataFrames, one per table of the data model.

A file is read as what its bytes are (`sop.data.formats`: CSV text in any common
encoding and delimiter, Excel workbooks with a sheet per table, Parquet, gzip and zip
of them); its table is the one its name (file stem or sheet name, case and spaces
aside) names, or the one the planner assigned it. Reading never raises on bad files:
every problem becomes a `Finding` so the planner sees all of them at once. Typing and
rules live in `sop.data.validate`.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sop.core.tables import TABLES
from sop.data.csvtext import ERROR, WARNING, code
from sop.data.formats import SUFFIXES, Part, hidden, open_file
from sop.data.mapping import guess_table, header_key, table_key

__all__ = ["ERROR", "WARNING", "Finding", "RawTable", "read_dir", "read_files"]
FILES_ARE_TABLES = "Files are tables of the data model"
REQUIRED = "Required files are present"
IGNORE = ""  # an assignment that leaves a part out
# spreadsheet files this app cannot open, by name ending (the Data page tells an .xls by
# its bytes, `sop.data.formats`): a folder holding one names it as an error
UNREAD_BOOKS = {
    ".xls": "an Excel 97-2003 workbook (.xls)",
    ".xlsb": "an Excel binary workbook (.xlsb)",
    ".ods": "an OpenDocument spreadsheet (.ods)",
}


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


@dataclass
class Matched:
    """Parts matched to tables: `raw` per table, the findings of reading and matching,
    and `unmatched`: readable parts no table name matched (with the table their
    headers look like, or None), for the planner to assign."""

    raw: dict[str, RawTable]
    findings: list[Finding]
    unmatched: list[tuple[Part, str | None]] = field(default_factory=list)


def _suggest(name: str, choices: list[str]) -> str:
    near = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f" Did you mean `{near[0]}`?" if near else ""


def read_parts(files: Mapping[str, bytes]) -> list[Part]:
    """Every part of every file ({file name: bytes}), hidden files left out."""
    parts: list[Part] = []
    for name in sorted(files):
        if not hidden(name):
            parts += open_file(Path(name).name, files[name], label=name, source=name)
    return parts


def _table_of(part: Part, assign: Mapping[str, str]) -> str | None:
    if part.label in assign:
        return assign[part.label] or None
    return table_key(part.name) or (table_key(part.alias) if part.alias else None)


def _findings(part: Part, table: str | None) -> list[Finding]:
    return [
        Finding(check, table or "-", severity, message, file=part.label)
        for severity, check, message in part.notes
    ]


def _empty_optional(part: Part, table: str) -> Finding:
    """A 0-byte file of an optional table: left out with a warning, as a file with a
    header and no rows is (`sop.data.validate`)."""
    return Finding(
        "Table is not empty",
        table,
        WARNING,
        f"{part.label}: the file is empty (0 bytes). It is left out, as if there were no "
        f"`{table}` file (see the assumptions on the Data page); export it again with its "
        "header row and data if that is wrong.",
        file=part.label,
    )


def match_parts(
    parts: list[Part], assign: Mapping[str, str] | None = None, strict: bool = False
) -> Matched:
    """The parts as tables. `assign` maps a part's label to a table ('' leaves it out).
    A part no table name matches is a warning, an error when `strict` and its file
    brings no table at all (an upload must not be silently ignored)."""
    assign = assign or {}
    known = list(TABLES)
    out = Matched({}, [])
    by_table: dict[str, list[Part]] = {}
    loose: list[Part] = []
    for part in parts:
        table = _table_of(part, assign)
        if table is not None:
            by_table.setdefault(table, []).append(part)
            out.findings += (
                [_empty_optional(part, table)]
                if part.empty and table in TABLES and not TABLES[table].required
                else _findings(part, table)
            )
        elif part.label in assign:  # left out by the planner
            continue
        elif part.frame is None and (part.empty and part.label != part.source):
            out.findings += [f for f in _findings(part, None) if f.severity == WARNING]
        else:
            loose.append(part)
    brought = {p.source for ps in by_table.values() for p in ps}
    for part in loose:
        severity = ERROR if strict and part.source not in brought else WARNING
        out.findings += [
            Finding(check, "-", severity if sev == ERROR else WARNING, message, file=part.label)
            for sev, check, message in part.notes
        ]
        if part.frame is None:
            continue
        guess = guess_table(part.frame.columns)
        out.unmatched.append((part, guess))
        looks = f" Its columns look like the `{guess}` table." if guess else ""
        out.findings.append(
            Finding(
                FILES_ARE_TABLES,
                "-",
                severity,
                f"{part.label}: {'not read' if severity == ERROR else 'ignored'}, "
                f"{code(part.name)} is not a table of the data model."
                f"{_suggest(header_key(part.name), known)}{looks} Name the file (or "
                "sheet) after its table, or choose its table on the Data page. Tables are: "
                f"{', '.join(known)}.",
                file=part.label,
            )
        )
    for table, got in by_table.items():
        got = sorted(got, key=lambda p: (p.frame is None, not p.label.endswith(".parquet")))
        if len(got) > 1:
            out.findings.append(
                Finding(
                    "One file per table",
                    table,
                    WARNING,
                    f"{', '.join(p.label for p in got)}: {len(got)} files for `{table}`; "
                    f"{got[0].label} was used. Remove the others so there is no doubt which "
                    "one is current.",
                    file=got[1].label,
                )
            )
        if got[0].frame is not None:
            out.raw[table] = RawTable(table, got[0].label, got[0].frame)
    for name, t in TABLES.items():
        if t.required and name not in by_table:
            out.findings.append(
                Finding(
                    REQUIRED,
                    name,
                    ERROR,
                    f"{name}.parquet / {name}.csv: missing. The `{name}` table is required "
                    f"({t.meaning}) Add the file (or a sheet `{name}` in a workbook) and "
                    "load again.",
                )
            )
    return out


def read_files(
    files: Mapping[str, bytes], assign: Mapping[str, str] | None = None, strict: bool = False
) -> tuple[dict[str, RawTable], list[Finding]]:
    """Read a dataset given as {file name: bytes} (see `match_parts`)."""
    got = match_parts(read_parts(files), assign, strict)
    return got.raw, got.findings


def _file_table(name: str) -> str | None:
    """The table a file name names (`sales.csv.gz` -> sales), or None."""
    stem = name[:-3] if name.lower().endswith(".gz") else name
    return table_key(Path(stem).stem)


def _entry_problem(entry: Path) -> str | None:
    """Why a folder entry that looks like a table file cannot be read, or None."""
    if entry.is_symlink() and not entry.exists():
        return "is a broken link (it points to a file that is not there)"
    if entry.is_dir():
        return "is a folder, not a file"
    if not entry.is_file():
        return "is not a regular file"
    return None


def read_dir(path: str | Path) -> tuple[dict[str, RawTable], list[Finding]]:
    """Read every table file in a folder (see `read_files`). An entry named like a table
    file that is a folder, a broken link or unreadable is named: an error for a
    required table, a warning otherwise."""
    folder = Path(path)
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "no such folder"
        return {}, [
            Finding(
                "Folder exists",
                "-",
                ERROR,
                f"{folder}: {what}. Give the folder that holds the "
                "table files (products.csv, sales.csv, ...).",
            )
        ]
    files: dict[str, bytes] = {}
    found: list[Finding] = []
    bad: set[str] = set()
    for entry in sorted(folder.iterdir()):
        if hidden(entry.name):
            continue
        if (what := UNREAD_BOOKS.get(entry.suffix.lower())) and entry.is_file():
            table = table_key(entry.stem)
            # an error only where it would be the table's file: a stale copy beside a
            # readable one, or a file named for no table, is left out with a warning
            other = any(
                e.is_file() and e.stem == entry.stem and e.name.lower().endswith(SUFFIXES)
                for e in folder.iterdir()
            )
            named = table is not None and not other
            if named:
                bad.add(table)
            found.append(
                Finding(
                    "Files can be opened",
                    table or "-",
                    ERROR if named else WARNING,
                    f"{entry.name}: {what} cannot be read"
                    + ("" if named else ", so it is left out")
                    + ". Open it in Excel (or LibreOffice) and save it as .xlsx or .csv "
                    f"(File > Save As){', then load again' if named else ' if it holds a table'}.",
                    file=entry.name,
                )
            )
            continue
        if not entry.name.lower().endswith(SUFFIXES):
            if entry.is_file():
                found.append(
                    Finding(
                        FILES_ARE_TABLES,
                        "-",
                        WARNING,
                        f"{entry.name}: ignored; only table files ({', '.join(SUFFIXES)}) "
                        "are read.",
                        file=entry.name,
                    )
                )
            continue
        problem = _entry_problem(entry)
        if problem is None:
            try:
                files[entry.name] = entry.read_bytes()
                continue
            except OSError as exc:
                problem = f"cannot be read ({exc.strerror or exc}); check its permissions"
        table = _file_table(entry.name)
        required = table is not None and TABLES[table].required
        bad.add(table or "-")
        found.append(
            Finding(
                "Files can be opened",
                table or "-",
                ERROR if required else WARNING,
                f"{entry.name}: {problem}."
                + (
                    f" The `{table}` table is required: put the table file itself there."
                    if required
                    else " It was skipped."
                ),
                file=entry.name,
            )
        )
    raw, read = read_files(files)
    read = [f for f in read if not (f.check == REQUIRED and f.table in bad)]
    return raw, found + read
