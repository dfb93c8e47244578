"""Reading a dataset folder (or one workbook, or a zip of table files) on the command line.

`validate`, `load` and every command that takes `--data DIR` (forecast, backtest, plan,
scenario, goal, pack, grid) read the files one way: with the --map and --dayfirst /
--monthfirst options and the column mapping saved in the app for the company the
dataset loads as (`sop.cli.saved_maps`: --mapping-of COMPANY, --no-saved-mapping). A
file that still lacks a column gets the advice of `saved_maps.advice`: a line naming
the file, the missing columns, its other headers and the --map options to write. The
store is only read, and not at all when its file does not exist.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from sop.cli import saved_maps
from sop.data.headers import MAPPED
from sop.data.mapping import ReadOptions, parse_maps
from sop.data.readers import RawTable, read_dir, read_files
from sop.data.validate import Report, validate_raw

MAP_HELP = (
    "read the file's column HEADER as the model's COLUMN of TABLE, e.g. --map sales.Date=month "
    "(repeat for more; headers compare without case and spaces)"
)
SHOWN_ERRORS = 5  # errors named in a one-line refusal; `validate` lists them all
# the reading options of a --data command: (attribute, how it is written, its default)
OPTIONS = (
    ("map", "--map", None),
    ("dayfirst", "--dayfirst / --monthfirst", None),
    ("mapping_of", "--mapping-of", None),
    ("no_saved_mapping", "--no-saved-mapping", False),
)


def add_read_options(s: argparse.ArgumentParser) -> None:
    """--map TABLE.HEADER=COLUMN (repeatable) and --dayfirst / --monthfirst."""
    s.add_argument("--map", action="append", metavar="TABLE.HEADER=COLUMN", help=MAP_HELP)
    order = s.add_mutually_exclusive_group()
    order.add_argument(
        "--dayfirst",
        dest="dayfirst",
        action="store_const",
        const=True,
        default=None,
        help="read dates like 03/04/2024 as day/month/year (3 April)",
    )
    order.add_argument(
        "--monthfirst",
        dest="dayfirst",
        action="store_const",
        const=False,
        help="read dates like 03/04/2024 as month/day/year (4 March)",
    )


def add_options(s: argparse.ArgumentParser) -> None:
    """The options `load` reads files with, for a command's --data DIR: --map,
    --dayfirst / --monthfirst, --mapping-of COMPANY, --no-saved-mapping."""
    g = s.add_argument_group("reading --data DIR (as `python -m sop load` reads a folder)")
    add_read_options(g)
    saved_maps.add_options(g)


def unused(args: argparse.Namespace) -> str | None:
    """Why the reading options cannot be used: given to a --data command without --data
    (they would change nothing). None when they can."""
    if not hasattr(args, "data") or args.data is not None:
        return None
    given = [flag for attr, flag, default in OPTIONS if getattr(args, attr, default) is not default]
    if not given:
        return None
    return (
        f"{', '.join(given)} {'read' if len(given) > 1 else 'reads'} the files of --data DIR; "
        "without --data the store's active dataset is used as loaded. Add --data DIR or "
        "leave the option out."
    )


def read_options(args: argparse.Namespace) -> ReadOptions:
    """The --map and --dayfirst / --monthfirst options (ValueError: a bad --map)."""
    return ReadOptions(
        maps=parse_maps(getattr(args, "map", None) or []),
        dayfirst=getattr(args, "dayfirst", None),
    )


def name_of(path: Path, given: str | None = None) -> str:
    """The dataset name: `given` (--name), else the folder's name (a file's without its
    suffix)."""
    folder = Path(path).resolve()
    return given or (folder.stem if folder.is_file() else folder.name)


def read(path: Path) -> tuple[dict[str, RawTable], list]:
    """The tables of a folder, or of one file (a workbook, a zip), as read, with the
    findings of the reading."""
    path = Path(path)
    if path.is_file():
        return read_files({path.name: path.read_bytes()})
    return read_dir(path)


def wrapped(line: str) -> str:
    """A line of advice wrapped at 100 characters (options are never split)."""
    return textwrap.fill(line, width=100, break_on_hyphens=False, break_long_words=False)


@dataclass(frozen=True)
class Checked:
    """A folder read and validated: the `report`, and the `advice` lines when columns
    are missing ([] otherwise)."""

    report: Report
    advice: list[str]

    @property
    def notes(self) -> list[str]:
        """The columns read through a mapping (saved or --map), a line each."""
        return [f.message for f in self.report.warnings if f.check == MAPPED]

    def problem(self, where: Path, only: set[str] | None = None) -> str:
        """The errors (of the tables in `only`, when given) and the advice, as one text
        for a one-line refusal."""
        errors = [f for f in self.report.errors if only is None or f.table in only]
        errors = errors or self.report.errors
        text = " ".join(f.message for f in errors[:SHOWN_ERRORS])
        if len(errors) > SHOWN_ERRORS:
            text += (
                f" (and {len(errors) - SHOWN_ERRORS} more errors: `python -m sop validate "
                f"{where}` with the same options lists them all)"
            )
        return " ".join([text, *self.advice])


class OptionError(ValueError):
    """A reading option that cannot be honoured: a bad --map, or --mapping-of naming a
    company with no saved mapping (bad input, not bad data)."""


def check(args: argparse.Namespace, path: Path, name: str | None = None) -> Checked:
    """Read and validate the folder (or file) `path` as the options of `args` say, with
    the column mapping saved for the company it loads as (dataset `name`, default the
    folder's name). OptionError: a bad --map, or --mapping-of naming a company with no
    saved mapping."""
    try:
        options = read_options(args)
    except ValueError as exc:
        raise OptionError(str(exc)) from None
    raw, found = read(path)
    try:
        saved = saved_maps.lookup(args, raw, name or name_of(path))
    except ValueError as exc:
        raise OptionError(str(exc)) from None
    options = replace(options, saved=saved.maps, saved_for=saved.company)
    report = validate_raw(raw, found, None, options)
    return Checked(report, saved_maps.advice(report, raw, saved, options.maps, args))


def tables(args: argparse.Namespace, path: Path) -> dict[str, pd.DataFrame]:
    """The validated tables of the folder `path` (as `check` reads it), the columns read
    through a mapping said on standard error; ValueError with the errors and the advice
    when it has errors."""
    got = check(args, path)
    for note in got.notes:
        print(f"WARNING  {note}", file=sys.stderr)
    if not got.report.ok:
        raise ValueError(f"{path} has errors: {got.problem(path)}")
    return got.report.tables
