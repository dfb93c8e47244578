"""`python -m sop template --out FILE [--demo]`: the Excel template of the data model.

Without `--demo`, an empty workbook to fill in: a "Read me" sheet listing the tables,
then a sheet per table with its header row, each header noted with its type, unit,
whether it is required and its rules. With `--demo`, the same layout filled with the
demo dataset. `python -m sop load FILE` (or the Data page) reads it back
(`sop.data.template`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

HELP = "write the Excel template of the data model (empty, or filled with the demo data)"


def add_arguments(s: argparse.ArgumentParser) -> None:
    """--out, --demo."""
    s.add_argument("--out", type=Path, required=True, help="the .xlsx file to write")
    s.add_argument(
        "--demo",
        action="store_true",
        help="fill the sheets with the demo dataset (default: headers and notes only)",
    )


def run(args: argparse.Namespace) -> int:
    """0 when written, 2 when --out is not an .xlsx file."""
    from sop.data import template  # lazy: openpyxl slows `python -m sop --help`

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        print(
            f"ERROR    --out {out}: the template is an Excel workbook; give a file ending "
            f"in .xlsx, e.g. {out.with_suffix('.xlsx')}.",
            file=sys.stderr,
        )
        return 2
    data = template.demo_workbook() if args.demo else template.empty_template()
    out.write_bytes(data)
    what = "the demo dataset" if args.demo else "the empty template"
    print(f"Wrote {what} ({len(template.TABLES)} tables, a sheet each) to {out}.")
    return 0


def add_commands(add_parser: Callable[..., argparse.ArgumentParser]) -> None:
    s = add_parser("template", help=HELP)
    add_arguments(s)
    s.set_defaults(func=run)
