"""The meeting pack as one self-contained HTML file: opens from disk, works offline.

plotly.js is embedded once (`plotly.offline.get_plotlyjs()`), each chart is a
`fig.to_html(include_plotlyjs=False)` fragment, the styles are inline, and nothing
is loaded from anywhere else. Every text a person typed is HTML-escaped.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from sop.core import fmt, schema
from sop.executive import board as exec_board
from sop.executive import charts as exec_charts
from sop.executive import comments as exec_comments
from sop.executive import risks as exec_risks
from sop.executive import view as exec_view
from sop.executive.pack_sheets import RANGES, range_sentence
from sop.finance import budget_odds, family_range, grid_text
from sop.finance import grid as sop_grid

CSS = """
body{font-family:Inter,"Segoe UI",Helvetica,Arial,sans-serif;color:#1B1F24;margin:24px auto;
max-width:1280px;padding:0 16px;line-height:1.4}
h1{font-size:26px;margin:0 0 4px} h2{font-size:19px;margin:28px 0 8px;border-bottom:2px solid
#1F4E79;padding-bottom:4px} .meta{color:#5A6572;font-size:14px;margin-bottom:16px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(165px,1fr));gap:12px;
margin:12px 0}
.card{border:1px solid #E3E7ED;border-radius:8px;padding:10px 12px}
.card .l{font-size:13px;color:#5A6572}.card .v{font-size:24px;font-weight:600}
.card .d{font-size:12px;color:#5A6572}
table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0}
th{background:#1F4E79;color:#fff;text-align:left;padding:6px 8px;vertical-align:bottom}
th.n{text-align:right}
td{border-bottom:1px solid #E3E7ED;padding:5px 8px;vertical-align:top}
td.n{text-align:right;white-space:nowrap} td.k{white-space:nowrap}
.risk{color:#B23A48}.opportunity{color:#1E7A46}
.note{background:#FFF6E5;border-left:4px solid #E07A1F;padding:6px 10px;margin:6px 0}
.chart{margin:8px 0}
.wide{overflow-x:auto} tr.gap td{background:#FFF6E5;font-weight:600}
"""
CONFIG = {"displaylogo": False, "responsive": True}


def esc(value: object) -> str:
    """Any value as escaped HTML text ('' for blanks)."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    return html.escape(str(value))


def table(
    df: pd.DataFrame,
    columns: Iterable[tuple[str, str]],
    numeric: Iterable[str] = (),
    classes: str | None = None,
    nowrap: Iterable[str] = (),
) -> str:
    """An HTML table of `df`'s (column, header) pairs; `numeric` columns right-aligned;
    `classes` names a column whose value becomes each row's CSS class; `nowrap` columns
    keep their text on one line (a month span)."""
    cols = list(columns)
    num, keep = set(numeric), set(nowrap)

    def cls(c: str) -> str:
        return " class=n" if c in num else " class=k" if c in keep else ""

    head = "".join(f"<th{' class=n' if c in num else ''}>{esc(h)}</th>" for c, h in cols)
    rows = []
    for _, r in df.iterrows():
        row_cls = f' class="{esc(r[classes])}"' if classes else ""
        cells = "".join(f"<td{cls(c)}>{esc(r[c])}</td>" for c, _ in cols)
        rows.append(f"<tr{row_cls}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def chart(fig: go.Figure) -> str:
    return (
        '<div class="chart">'
        + fig.to_html(full_html=False, include_plotlyjs=False, config=CONFIG)
        + "</div>"
    )


def _note(text: object) -> str:
    """One more line under a card, escaped; nothing when there is no text."""
    shown = esc(text)
    return f'<div class="d">{shown}</div>' if shown else ""


def _cards(headline: pd.DataFrame) -> str:
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="card"><div class="l">{esc(r.label)}</div><div class="v">{esc(r.text)}'
            f'</div><div class="d">{esc(r.vs_budget_text)}</div><div class="d">'
            f'{esc(r.vs_previous_text)}</div><div class="d">{esc(r.vs_baseline_text)}</div>'
            # the P10-P90 through the constrained plan, where the simulation ranges the KPI
            + (f'<div class="d">{esc(r.range_text)}</div>' if r.range_text else "")
            # the limits that bind most, named as on the Executive tile and the Excel sheet
            + _note(getattr(r, "detail", ""))
            + "</div>"
            for r in headline.itertuples()
        )
        + "</div>"
    )


def _risks_text(risks: pd.DataFrame, currency: str) -> pd.DataFrame:
    return risks.assign(amount=[fmt.money_delta(m, currency) for m in risks["money"]])


def _weeks(weekly: pd.DataFrame) -> pd.DataFrame:
    w = weekly.groupby(["week_start", "month", "plant"], as_index=False)[
        ["production", "subcontracted", "shipped"]
    ].sum()
    out = w.assign(
        week=w["week_start"].dt.strftime("%d %b %Y"), mon=w["month"].dt.strftime("%b %Y")
    )
    for c in ("production", "subcontracted", "shipped"):
        out[c] = out[c].map(lambda v: f"{v:,.0f}")
    return out


def _opening(view: exec_view.ExecView, summary: list[tuple[str, object, str]], meta) -> list[str]:
    """Title, what the pack is about, the view's notes and the summary table."""
    parts = [
        f"<h1>{esc(meta.title)}</h1>",
        f'<div class="meta">Dataset {esc(meta.dataset)} {esc(meta.version_text)} · '
        f"cycle {esc(exec_view.fmt_cycle(meta.cycle))} · actuals to {esc(fmt.month(meta.as_of))}"
        f" · made {esc(meta.made_at.strftime('%Y-%m-%d %H:%M'))} UTC · money in "
        f"{esc(view.currency)}</div>",
    ]
    parts += [f'<div class="note">{esc(n)}</div>' for n in view.notes]
    parts.append(
        table(
            pd.DataFrame(summary, columns=["item", "value", "kind"]),
            [("item", "Item"), ("value", "Value")],
        )
    )
    return parts


@dataclass(frozen=True)
class RangesPart:
    """The revenue ranges by family with the chance of meeting the budget
    (`sop.executive.pack_sheets.revenue_ranges`: the frame and the total's sentences) and
    what they are (`help`)."""

    ranges: pd.DataFrame
    lines: list[str] = field(default_factory=list)
    help: str = ""


def _ranges_text(ranges: pd.DataFrame, currency: str) -> pd.DataFrame:
    """The ranges' figures as the Finance page shows them: money, % and chances, and
    each measure's P10 / P50 / P90 over the budget's months in one cell."""
    out = ranges.copy()
    for c, _, kind in budget_odds.RANGE_ODDS_SPEC:
        if c in budget_odds.MEASURES:
            out[c] = out[c].map(budget_odds.chance_text)
        elif kind == "money":
            out[c] = out[c].map(lambda v: fmt.money(v, currency))
        elif kind == "pct":
            out[c] = out[c].map(lambda v: fmt.pct(v, 0))
    for _, _, bm in budget_odds.FIGURES.values():
        cols = [f"{bm}_{q}" for q in (schema.P10, schema.P50, schema.P90)]
        out[bm] = out[cols].agg(" / ".join, axis=1)
    return out.assign(budget_months=out["budget_months"].replace("", "–"))


def _budget_columns() -> list[tuple[str, str]]:
    """The budget months' table: (column, header), each measure's P10 / P50 / P90 as one
    column (`_ranges_text`)."""
    heads = {c: h for c, h, _ in budget_odds.BUDGET_MONTHS_SPEC}
    out = [(schema.FAMILY, "Family")]
    for c, _, _ in budget_odds.BUDGET_MONTHS_SPEC:
        stem = next((bm for *_, bm in budget_odds.FIGURES.values() if c.startswith(bm)), None)
        if stem is None:
            out.append((c, heads[c]))
        elif c.endswith(schema.P10):
            measure = heads[c].split(" P10 ")[0]
            out.append((stem, f"{measure} P10 / P50 / P90 {budget_odds.BM}"))
    return out


def _ranges_section(part: RangesPart | None, currency: str) -> list[str]:
    """Revenue P10-P50-P90 by family over the plan horizon, which families supply caps,
    and each one's chance of meeting the budget beside the budget and the P10-P50-P90
    over the budget's months; nothing without a risk run."""
    if part is None or part.ranges.empty:
        return []
    text = _ranges_text(part.ranges, currency)
    horizon = [(c, h) for c, h, _ in budget_odds.HORIZON_SPEC if c != "plan_orders"]
    budget = _budget_columns()
    return [
        f"<h2>{esc(RANGES)}</h2>",
        *(f"<p>{esc(line)}</p>" for line in part.lines),
        *(
            f'<div class="note">{esc(n)}</div>'
            for n in family_range.capped_notes(part.ranges, currency)
        ),
        "<p><strong>Over the plan horizon</strong></p>",
        table(
            text,
            horizon,
            numeric=[c for c, _ in horizon if c not in (schema.FAMILY, "supply")],
        ),
        "<p><strong>Against the budget, over the budget's months</strong></p>",
        table(
            text,
            budget,
            numeric=[c for c, _ in budget if c not in (schema.FAMILY, "budget_months")],
            nowrap=("budget_months",),
        ),
        f'<p class="meta">{esc(part.help)}</p>',
    ]


def _risks_section(view: exec_view.ExecView) -> list[str]:
    cur = view.currency
    top = exec_risks.top(view.risks, n=10, per_category=4)
    return [
        "<h2>Risks and opportunities, ranked by the gross margin at stake</h2>",
        chart(exec_charts.risks_chart(top, cur, height=420)),
        table(
            _risks_text(view.risks, cur),
            [
                ("kind", "Risk or opportunity"),
                ("category", "Category"),
                ("subject", "Subject"),
                ("when", "When"),
                ("amount", "Margin at stake"),
                ("what", "What"),
            ],
            numeric=("amount",),
            classes="kind",
            nowrap=("when",),
        ),
    ]


def _changes_section(view: exec_view.ExecView) -> list[str]:
    parts = ["<h2>What changed since last cycle</h2>"]
    if view.bridge is None:
        return [*parts, "<p>No earlier cycle has a plan of record to compare with.</p>"]
    return [
        *parts,
        chart(exec_charts.plan_bridge_chart(view.bridge, view.currency)),
        table(
            view.bridge,
            [("step", "Step"), ("amount_text", "Gross margin"), ("detail", "Made of")],
            numeric=("amount_text",),
        ),
    ]


def _decisions_section(view: exec_view.ExecView) -> list[str]:
    if not len(view.log):
        return ["<h2>Decision log</h2>", "<p>No decisions recorded yet.</p>"]
    log = view.log.assign(
        when=view.log["made_at"].dt.strftime("%Y-%m-%d %H:%M"),
        cyc=view.log["cycle"].dt.strftime("%b %Y"),
    )
    columns = [
        ("entry_id", "#"),
        ("when", "Made (UTC)"),
        ("cyc", "Cycle"),
        ("entry", "Entry"),
        ("service", "Service as approved"),
        ("author", "By"),
        ("note", "Note"),
        ("status", "Status"),
    ]
    return ["<h2>Decision log</h2>", table(log, columns, nowrap=("when", "cyc"))]


def _comments_section(opened: pd.DataFrame | None) -> list[str]:
    """The open comment threads (`sop.executive.comments.open_table`); nothing when the
    pack was made without a store (None)."""
    if opened is None:
        return []
    head = f"<h2>{esc(exec_comments.TITLE)}</h2>"
    if opened.empty:
        return [head, f"<p>{esc(exec_comments.NONE)}</p>"]
    columns = [
        ("subject", "Subject"),
        ("last_body", "Last comment"),
        ("last_author", "By"),
        ("age", "Age"),
        ("comments", "Comments"),
    ]
    return [head, table(opened, columns, numeric=("comments",), nowrap=("age",))]


def _handoff_section(view: exec_view.ExecView) -> list[str]:
    if not len(view.weekly):
        return []
    return [
        "<h2>Hand-off to execution: first three months in weeks (by plant)</h2>",
        table(
            _weeks(view.weekly),
            [
                ("week", "Week (Monday)"),
                ("mon", "Month"),
                ("plant", "Plant"),
                ("production", "Make (units)"),
                ("subcontracted", "Buy (units)"),
                ("shipped", "Ship (units)"),
            ],
            numeric=("production", "subcontracted", "shipped"),
        ),
    ]


def _grid_section(grid: sop_grid.Grid | None, currency: str) -> list[str]:
    """The total S&OP grid: months as columns, gap rows shaded and signed (▲ / ▼)."""
    if grid is None:
        return []
    text = grid_text.display_frame(grid, currency)
    text["_row"] = ["gap" if k in grid.gaps else "" for k in text.index]
    months = [c for c in text.columns if c not in ("Row", "_row")]
    return [
        "<h2>S&amp;OP grid: all families, month by month</h2>",
        "<p>Actual months first (the demand rows show the sales), then the plan. Gap rows "
        "are shaded: ▲ above, ▼ below.</p>",
        '<div class="wide">'
        + table(text, [("Row", "Row"), *((m, m) for m in months)], numeric=months, classes="_row")
        + "</div>",
    ]


def report(
    view: exec_view.ExecView,
    summary: list[tuple[str, object, str]],
    meta,
    grid: sop_grid.Grid | None = None,
    comments: pd.DataFrame | None = None,
    ranges: RangesPart | None = None,
) -> str:
    """The whole report as an HTML string; `grid`: the total S&OP grid, after the headline;
    `comments`: the open comment threads (`sop.executive.comments.open_table`), after the
    decision log; `ranges`: the revenue ranges by family, after the grid."""
    cur = view.currency
    parts = _opening(view, summary, meta)
    parts += [
        "<h2>Headline: the plan on the table</h2>",
        _cards(view.headline),
        # what the P10-P90 lines on the cards and the shaded range are, as the Scenarios
        # Risk tab says it
        *([f'<p class="meta">{esc(text)}</p>'] if (text := range_sentence(view.headline)) else []),
        chart(exec_charts.revenue_chart(view.band, cur, height=420)),
    ]
    parts += _grid_section(grid, cur)
    parts += _ranges_section(ranges, cur)
    parts += _risks_section(view)
    parts += [
        "<h2>Scenarios on the table</h2>",
        _table_all(exec_board.board_text(view.board, cur, view.por_name)),
    ]
    if note := exec_board.board_note(view.board):  # no revenue or margin ★: demands differ
        parts.append(f"<p>{esc(note)}</p>")
    parts += _changes_section(view)
    parts += _decisions_section(view)
    parts += _comments_section(comments)
    parts += _handoff_section(view)
    body = "\n".join(parts)
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(meta.title)}</title><style>{CSS}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script></head>'
        f"<body>{body}</body></html>"
    )


def _table_all(df: pd.DataFrame) -> str:
    return table(df, [(c, c) for c in df.columns], numeric=[c for c in df.columns[1:]])
