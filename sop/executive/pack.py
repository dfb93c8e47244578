"""The meeting pack: an Excel workbook and a self-contained HTML report of the
Executive view. Both files carry the dataset version, the cycle and the time they
were made. The table sheets (their columns and frames) are `sop.executive.pack_sheets`;
here: what the pack is about (`PackMeta`), its Summary, the S&OP grids and the two
files. The command, `python -m sop pack`, is `sop.cli.pack`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from sop.core import fmt, schema
from sop.executive import comments as exec_comments
from sop.executive import pack_excel, pack_html
from sop.executive import view as exec_view
from sop.executive.pack_sheets import (
    HEADLINE_SPEC,
    NO_PRICE,
    headline_table,
    no_price_notes,
    range_notes,
    ranges_help,
    ranges_notes,
    revenue_ranges,
    sheets,
)
from sop.finance import grid as sop_grid
from sop.finance import statement
from sop.finance.kpis import priced
from sop.finance.risk import p10_p90
from sop.finance.service_line import plan_line


@dataclass(frozen=True)
class PackMeta:
    """What a pack is about: shown on its first page and in its file names."""

    company: str
    dataset: str
    version: int | None
    cycle: pd.Timestamp
    as_of: pd.Timestamp | None
    currency: str
    made_at: datetime

    @property
    def version_text(self) -> str:
        return f"v{self.version}" if self.version is not None else "folder (not stored)"

    @property
    def title(self) -> str:
        return f"{self.company}: executive S&OP, {exec_view.fmt_cycle(self.cycle)} cycle"

    def stem(self) -> str:
        v = f"v{self.version}" if self.version is not None else "folder"
        return f"sop_pack_{self.cycle:%Y-%m}_{v}"


def summary_pairs(view: exec_view.ExecView, meta: PackMeta) -> list[tuple[str, object, str]]:
    """The label / value rows opening both files."""
    rows: list[tuple[str, object, str]] = [
        ("Company", meta.company, "text"),
        ("Dataset", meta.dataset, "text"),
        ("Dataset version", meta.version_text, "text"),
        ("Cycle", exec_view.fmt_cycle(meta.cycle), "text"),
        ("Actuals up to", fmt.month(meta.as_of), "text"),
        ("Currency", meta.currency, "text"),
        ("Made (UTC)", meta.made_at.strftime("%Y-%m-%d %H:%M"), "text"),
        ("Plan on the table", view.plan_name, "text"),
        *(
            [("Service shortfall", short, "text")]
            if (short := plan_line(view.current.kpis, meta.currency, p10_p90(view.current.risk)))
            else []
        ),
        ("Booking convention", statement.convention(view.current.plan.policy), "text"),
        # how much of a gap below budget is supply (`budget_lines.budget_supply`)
        *([("Gap to budget", view.budget_gap, "text")] if view.budget_gap else []),
    ]
    if view.approved is not None:
        a = view.approved
        rows += [
            ("Approved by", f"{a['author']} on {a['made_at']:%Y-%m-%d %H:%M} UTC", "text"),
            ("Approval note", a["note"], "text"),
        ]
    else:
        rows.append(("Approved", "not yet: no plan of record for this cycle", "text"))
    if view.previous is not None:
        rows.append(
            (
                "Previous plan of record",
                f"{view.previous.scenario_name} "
                f"({exec_view.fmt_cycle(view.previous.cycle)} cycle, data "
                f"v{view.previous.dataset_version})",
                "text",
            )
        )
    rows += [("Note", n, "text") for n in view.notes]
    if not priced(view.current.kpis):
        rows.append(("Note", NO_PRICE, "text"))
    return rows


def grids(
    view: exec_view.ExecView,
    tables: dict[str, pd.DataFrame],
    consensus: pd.DataFrame | None = None,
) -> dict[str, sop_grid.Grid]:
    """The S&OP grid of the plan on the table (`sop.finance.grid`), per family and the
    total, as the Executive page shows it: on the demand the plan was solved on (its
    levers included), so "Gap: supply - demand" is the plan's own. On the consensus
    before the levers, a plan of demand +40 % the lines cannot make read as a surplus
    (the demo: +82,663 units over the horizon where it loses 52,497); the Demand
    sheet keeps the consensus and the levers' change apart. With `consensus` (the
    consensus demand plan) the demand row says which it is: "Demand (scenario)" where
    the levers moved it."""
    return sop_grid.sop_grids(view.current.plan, view.current.demand, tables, consensus=consensus)


def marks(
    view: exec_view.ExecView, tables: dict[str, pd.DataFrame], comments: pd.DataFrame | None
) -> dict[str, str]:
    """The open risk threads whose item the pack's Risks list (`view.risks`) does not
    hold -> their mark ("Earlier item", "now under Stock-out risk: <family>"), as the
    Executive page's Open comments marks them (`sop.executive.comments.open_marks`)."""
    if comments is None or comments.empty:
        return {}
    current = exec_comments.risk_keys(view.risks)
    return exec_comments.open_marks(comments, current, tables.get(schema.PRODUCTS))


def excel(
    view: exec_view.ExecView,
    tables: dict[str, pd.DataFrame],
    meta: PackMeta,
    consensus: pd.DataFrame | None,
    comments: pd.DataFrame | None = None,
) -> bytes:
    """The pack's workbook (`sop.executive.pack_excel`) as bytes; `consensus`: the consensus demand
    plan the view was made from, for the Demand sheet (the grid sheets are on the plan's
    own demand, `grids`); `comments`: the open threads (`sop.store.comments.open_threads`)
    for an "Open comments" sheet, marked as the Executive page marks them (`marks`)."""
    table_sheets = sheets(view, tables, consensus) + exec_comments.sheets(
        comments, meta.made_at, marks(view, tables, comments)
    )
    grid_map = grids(view, tables, consensus)
    return pack_excel.workbook(
        table_sheets,
        summary_pairs(view, meta),
        headline_table(view.headline),
        HEADLINE_SPEC,
        meta.currency,
        meta.title,
        meta.made_at,
        grid_map,
        {
            **no_price_notes(view, table_sheets, grid_map),
            **range_notes(view),
            **ranges_notes(view),
        },
    )


def html(
    view: exec_view.ExecView,
    tables: dict[str, pd.DataFrame],
    meta: PackMeta,
    consensus: pd.DataFrame | None = None,
    comments: pd.DataFrame | None = None,
) -> str:
    """The pack's self-contained HTML report (`sop.executive.pack_html`), with the
    total S&OP grid (`grids`: on the plan's own demand; `consensus` only tells whether
    its demand row is the consensus or the scenario's), the revenue ranges by family
    with the chance of meeting the budget (`revenue_ranges`, as the workbook's sheet)
    and the open comment threads (`comments`, when given; marked as `marks`)."""
    total = grids(view, tables, consensus)[sop_grid.TOTAL]
    opened = (
        None
        if comments is None
        else exec_comments.open_table(comments, meta.made_at, marks(view, tables, comments))
    )
    ranges, lines = revenue_ranges(view)
    part = pack_html.RangesPart(ranges, lines, ranges_help(view))
    return pack_html.report(view, summary_pairs(view, meta), meta, total, opened, part)


def write(
    view: exec_view.ExecView,
    tables: dict[str, pd.DataFrame],
    meta: PackMeta,
    out: Path,
    consensus: pd.DataFrame | None,
    comments: pd.DataFrame | None = None,
) -> tuple[Path, Path]:
    """Write <stem>.xlsx and <stem>.html into `out` (`comments`: the open threads, or
    None for a pack made without a store); returns both paths."""
    out.mkdir(parents=True, exist_ok=True)
    xlsx, page = out / f"{meta.stem()}.xlsx", out / f"{meta.stem()}.html"
    xlsx.write_bytes(excel(view, tables, meta, consensus, comments))
    page.write_text(html(view, tables, meta, consensus, comments), encoding="utf-8")
    return xlsx, page


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
