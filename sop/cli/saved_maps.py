"""The column mappings saved in the app, applied where the command line reads files
(`sop.cli.folder`: validate, load and every --data DIR command).

The Data page saves the mapping a planner confirmed for their company
(`sop.store.column_maps`) and applies it to the company's next upload. The command
line does the same, with the same functions: the company is the one the dataset will
load as (`sop.data.mapping.company_of`: the company table's name, else the dataset
name), its mappings are read with `column_maps.for_company`, and the headers are
renamed by `sop.data.headers` exactly as for an upload, a note per column. The app
keeps one mapping per company, so `--mapping-of COMPANY` names another company's,
and `--no-saved-mapping` reads the files with the --map options only.

The store is only read, and only when its file exists: `validate` and a refused
`load` leave it as it was.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from dataclasses import dataclass

from sop.core import schema
from sop.data.csvtext import code
from sop.data.headers import HEADERS
from sop.data.mapping import ColumnMaps, company_of, map_option, need
from sop.data.readers import RawTable
from sop.data.validate import Report
from sop.store import Store, StoreError, column_maps

MAPPING_OF_HELP = (
    "read the files with the column mapping saved in the app for this company (default: "
    "the company the dataset loads as, from its company table, else the dataset name); "
    "the dataset still loads as its own company"
)
NO_SAVED_HELP = "ignore the column mappings saved in the app; use only the --map options"


@dataclass(frozen=True)
class Saved:
    """The saved mapping used for a read: `maps` ({table: {header: column}}, {} when
    none or turned off), the company it was saved for (`company`), and why saved mappings
    were not used (`off`: "--no-saved-mapping", or that they cannot be read)."""

    maps: ColumnMaps
    company: str
    off: str = ""


def add_options(s: argparse.ArgumentParser) -> None:
    """--mapping-of COMPANY and --no-saved-mapping (one or the other)."""
    g = s.add_mutually_exclusive_group()
    g.add_argument("--mapping-of", metavar="COMPANY", default=None, help=MAPPING_OF_HELP)
    g.add_argument("--no-saved-mapping", action="store_true", help=NO_SAVED_HELP)


def _store(args: argparse.Namespace) -> Store | None:
    """The store of `args` when its file exists (None: nothing can be saved there, and
    opening it would create it)."""
    store = Store(getattr(args, "store", None))
    return store if store.path.exists() else None


def lookup(args: argparse.Namespace, raw: dict[str, RawTable], name: str) -> Saved:
    """The saved mapping to read `raw` (the files as read, dataset `name`) with, as the
    options say. ValueError when --mapping-of names a company with no saved mapping."""
    given = (getattr(args, "mapping_of", None) or "").strip()
    frame = raw[schema.COMPANY].frame if schema.COMPANY in raw else None
    company = given or company_of(frame, None, name)
    if getattr(args, "no_saved_mapping", False):
        return Saved({}, company, off="--no-saved-mapping")
    store = _store(args)
    try:
        maps = column_maps.for_company(store, company) if store is not None else {}
    except StoreError as exc:  # another format, or held by another program too long
        if given:
            raise ValueError(f"--mapping-of {given}: {exc}") from None
        print(
            f"WARNING  The column mappings saved in {store.path} cannot be read ({exc}); the "
            "files are read without them.",
            file=sys.stderr,
        )
        return Saved({}, company, off="they cannot be read, see above")
    if given and not maps:
        path = Store(getattr(args, "store", None)).path
        where = f"in {path}" if store is not None else f"({path} does not exist)"
        raise ValueError(
            f"--mapping-of {given}: no column mapping is saved for {code(given)} {where}. "
            "A mapping is saved on the Data page when files loaded there were mapped; leave "
            "--mapping-of out, or map the columns with --map TABLE.HEADER=COLUMN."
        )
    return Saved(maps, company)


def advice(
    report: Report, raw: dict[str, RawTable], saved: Saved, maps: ColumnMaps, args
) -> list[str]:
    """What to do about the files whose columns do not match the model (a line each,
    naming the file, the missing columns and the file's other headers), and where a
    saved mapping could help; [] when no column is missing."""
    tables = sorted(
        {f.table for f in report.errors if f.check == HEADERS and f.column and f.table in raw}
    )
    lines = []
    for table in tables:
        r = raw[table]
        n = need(table, r.file, r.frame.columns, saved.maps.get(table, {}), maps.get(table, {}))
        if n is None:
            continue
        others = ", ".join(code(h) for h in n.free) or "none"
        how = " ".join(
            map_option(table, n.hints[m], m) if m in n.hints else f"--map '{table}.HEADER={m}'"
            for m in n.missing
        )
        lines.append(
            f"{n.file} (the {code(table)} table) lacks {', '.join(code(m) for m in n.missing)}; "
            f"its other columns: {others}. Name the file's header of each: {how}."
        )
    if not lines:
        return []
    lines.append(_saved_note(saved, tables, args))
    return lines


def _saved_note(saved: Saved, tables: list[str], args: argparse.Namespace) -> str:
    """Which saved mapping was used, and another that might fit."""
    who = code(saved.company)
    if saved.off:
        return f"The mappings saved in the app were not used ({saved.off})."
    if any(t in saved.maps for t in tables):
        return (
            f"The mapping saved for {who} was applied and these columns are still missing: "
            "map them with --map, or load the files on the Data page and confirm the mapping "
            "there (it is saved for the company and used by the next load)."
        )
    note = (
        f"No column mapping for {', '.join(code(t) for t in tables)} is saved for {who}"
        + ("" if getattr(args, "mapping_of", None) else ", the company this dataset loads as")
        + ". Map the columns with --map, or load the files once on "
        "the Data page and confirm the mapping there (it is saved for the company)."
    )
    store = _store(args)
    try:
        active = store.active() if store is not None else None
        theirs = column_maps.for_company(store, active.company) if active is not None else {}
    except StoreError:  # said when the mapping was looked up
        return note
    if active is not None and active.company != saved.company and any(t in theirs for t in tables):
        note += (
            f" A mapping is saved for {code(active.company)} (the active dataset's "
            f"company): add --mapping-of {shlex.quote(active.company)} to read the files "
            "with it."
        )
    return note
