"""A validation report on the terminal: one line a finding, then the totals."""

from __future__ import annotations

import textwrap

from sop.data.readers import ERROR
from sop.data.validate import Report


def print_report(report: Report, source: str) -> None:
    """Errors, then warnings, wrapped at 100 characters; then tables, rows and counts."""
    errors, warnings = report.errors, report.warnings
    for f in errors + warnings:
        label = "ERROR  " if f.severity == ERROR else "WARNING"
        body = textwrap.fill(f.message, width=100, subsequent_indent=" " * 9)
        print(f"{label}  {body}")
    n_rows = sum(len(df) for df in report.tables.values())
    print(
        f"\n{source}: {len(report.tables)} tables, {n_rows:,} rows; "
        f"{len(errors)} error(s), {len(warnings)} warning(s)."
    )
