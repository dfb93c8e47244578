"""A validation's outcome and how findings are collected: `Report` (typed tables,
findings, the checks run) and `Run`, which flags rows with a few quoted examples
in words a planner can act on."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sop.core import fmt, schema
from sop.data.readers import ERROR, WARNING, Finding

MAX_EXAMPLES = 50  # rows kept for the drill-down
# a check's status on screen: a mark and the word, so that colour is never the only sign
STATUS_MARK = {"pass": "✔", "warning": "⚠", "fail": "✖"}
SHOWN = 3  # examples quoted in a message
ROW = "row"
_SINGULAR = {
    "are": "is",
    "have": "has",
    "refer": "refers",
    "repeat": "repeats",
    "name": "names",
    "sell": "sells",
    "cost": "costs",
    "make": "makes",
    "end": "ends",
    "give": "gives",
    "hold": "holds",
}


@dataclass
class Report:
    """Typed tables, findings and the list of checks run (status per check)."""

    tables: dict[str, pd.DataFrame]
    findings: list[Finding]
    checks: list[tuple[str, str]] = field(default_factory=list)  # (check, table) run

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def check_table(self) -> pd.DataFrame:
        """One row per check: check, table, status (pass/warning/fail), count, message."""
        rows = []
        for check, table in dict.fromkeys(
            self.checks + [(f.check, f.table) for f in self.findings]
        ):
            hits = [f for f in self.findings if f.check == check and f.table == table]
            status = (
                "fail" if any(f.severity == ERROR for f in hits) else "warning" if hits else "pass"
            )
            rows.append(
                {
                    "check": check,
                    "table": table,
                    "status": status,
                    "count": sum(f.count for f in hits),
                    "message": "\n".join(f.message for f in hits),
                }
            )
        out = pd.DataFrame(rows, columns=["check", "table", "status", "count", "message"])
        order = out["status"].map({"fail": 0, "warning": 1, "pass": 2})
        return out.iloc[order.argsort(kind="stable")].reset_index(drop=True)


def status_text(status: str) -> str:
    """A check status as shown: its mark and its word ("✖ fail")."""
    return f"{STATUS_MARK[status]} {status}"


class Run:
    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.checks: list[tuple[str, str]] = []

    def ran(self, check: str, table: str) -> None:
        self.checks.append((check, table))

    def flag(
        self,
        check: str,
        table: str,
        severity: str,
        message: str,
        count: int = 1,
        file: str | None = None,
        column: str | None = None,
        examples: pd.DataFrame | None = None,
    ) -> None:
        self.ran(check, table)
        self.findings.append(
            Finding(check, table, severity, message, count, file, column, examples)
        )

    def rows(
        self,
        check: str,
        t: schema.Table,
        df: pd.DataFrame,
        file: str,
        bad: pd.Series,
        column: str | None,
        problem: str,
        action: str,
        severity: str = ERROR,
        shown: pd.Series | None = None,
    ) -> None:
        """Flag the rows where `bad` is true, quoting a few of them."""
        self.ran(check, t.name)
        n = int(bad.sum())
        if not n:
            return
        ex = _examples(t, df[bad], column, shown[bad] if shown is not None else None)
        where = f", column `{column}`" if column else ""
        if n == 1:
            verb, _, rest = problem.partition(" ")
            problem = f"{_SINGULAR.get(verb, verb)} {rest}"
        self.flag(
            check,
            t.name,
            severity,
            f"{file}{where}: {fmt.count(n, 'row')} {problem}: {_quote(ex, column, n)}. {action}",
            n,
            file,
            column,
            ex,
        )


def _examples(
    t: schema.Table, bad: pd.DataFrame, column: str | None, shown: pd.Series | None
) -> pd.DataFrame:
    cols = [ROW] + [k for k in t.key if k in bad.columns and k != column]
    if column and column in bad.columns:
        cols.append(column)
    ex = bad[cols].head(MAX_EXAMPLES).copy()
    if shown is not None and column:
        ex[column] = shown.head(MAX_EXAMPLES).to_numpy()
    return ex.reset_index(drop=True)


def _fmt(v: object) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or v is pd.NaT:
        return "empty"
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d")
    return f"'{v}'" if isinstance(v, str) else f"{v:g}" if isinstance(v, float) else str(v)


def _quote(ex: pd.DataFrame, column: str | None, total: int | None = None) -> str:
    """A few example rows; `total` is how many rows are affected in all."""
    total = len(ex) if total is None else total
    parts = []
    for _, r in ex.head(SHOWN).iterrows():
        ident = ", ".join(f"{c} {_fmt(r[c])}" for c in ex.columns if c not in (ROW, column))
        val = f" = {_fmt(r[column])}" if column and column in ex.columns else ""
        parts.append(f"row {r[ROW]}{f' ({ident})' if ident else ''}{val}")
    more = f" and {total - SHOWN} more" if total > SHOWN else ""
    return "; ".join(parts) + more
