"""What a plan costs in service, said where it is approved: the Decisions page's tiles
of the plan picked, each with its change against the plan of record (`reference`:
this cycle's, else the latest earlier one, as approved then; the baseline plan when
there is none), and for each approval in the decision log the line on what it
does not serve (`sop.finance.service_line`), from the KPIs its snapshot stored
(`snapshots.PlanSnapshot.kpis`), so the log says what was approved.

Pure: KPIs (`sop.finance.kpis.plan_kpis`) in, tiles and strings out. A figure the
KPIs lack (a snapshot saved by an older version) reads as not known, never as 0: its
tile shows no change.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import pandas as pd

from sop.core import fmt
from sop.executive.snapshots import PlanSnapshot
from sop.finance.service_line import num, shortfall_line
from sop.finance.tiles import Tile, kpi_tile, service_pct


class Records(Protocol):
    """What the reference reads of the cycle's records (`sop.executive.records.Records`,
    which imports this module): the plan of record's approval entry and snapshot, this
    cycle's and the previous cycle's."""

    approved: pd.Series | None
    previous_entry: pd.Series | None
    snapshot: PlanSnapshot | None
    previous: PlanSnapshot | None


# the Executive page's labels (`sop.executive.headline.HEADLINE`, the service tiles)
TILES = (
    (("revenue", "Revenue"), ("gross_margin", "Gross margin")),
    (("fill_rate", "Fill rate"), ("on_time_rate", "On-time fill rate")),
    (
        ("lost_units", "Lost sales (units)"),
        ("lost_value", "Lost sales (value)"),
        ("late_value", "Late deliveries (value)"),
    ),
)


RECORD, BASELINE = "plan of record", "baseline"


@dataclass(frozen=True)
class Reference:
    """What the picked plan's tiles are set against: `kpis` (None: no changes shown, the
    picked plan is the reference itself or there is none), `against` (the tiles' word
    for it: `RECORD` or `BASELINE`) and `caption` (Markdown, every name escaped)."""

    kpis: Mapping[str, float] | None
    against: str
    caption: str


def record_entry(rec: Records) -> tuple[pd.Series | None, bool]:
    """The plan of record the picked plan is set against: (its approval entry, whether
    it is this cycle's). This cycle's, else the latest earlier cycle's; (None, False)
    before any."""
    if rec.approved is not None:
        return rec.approved, True
    return rec.previous_entry, False


def needs_baseline(rec: Records, scenario_id: int) -> bool:
    """Whether the page must plan the baseline to set the picked plan against it: there
    is no plan of record at all, and the picked plan is not the baseline itself."""
    return record_entry(rec)[0] is None and scenario_id != 0


def reference(
    rec: Records, scenario_id: int, version: int | None, baseline: Mapping[str, float] | None
) -> Reference:
    """What the tiles of the picked plan (saved scenario `scenario_id`, 0 the baseline,
    planned on dataset `version`) are set against: the plan of record (`record_entry`)
    as approved then, its snapshot's KPIs; with none, the `baseline` plan's KPIs on the
    same data (None: it cannot be made). The picked plan is the plan of record itself
    when it is the same scenario approved on the same data: then no changes are shown
    (its figures are the record's), and the caption says so."""
    entry, this_cycle = record_entry(rec)
    if entry is None:
        if scenario_id == 0:
            why = "this is the baseline plan"
        elif baseline is None:
            why = "the baseline plan cannot be made on the active data"
        else:
            return Reference(baseline, BASELINE, "Changes against the baseline plan.")
        return Reference(None, BASELINE, f"No plan of record yet, and {why}: no changes shown.")
    sid = int(entry["scenario_id"] or 0)
    name = fmt.md(f"#{sid} {entry['scenario_name']}" if sid else entry["scenario_name"])
    when = pd.Timestamp(entry["made_at"]).strftime("%d %b %Y")
    cycle = "" if this_cycle else f" of the {fmt.month(entry['cycle'])} cycle"
    data = entry["dataset_version"]
    same_data = pd.notna(data) and version is not None and int(data) == int(version)
    if sid == scenario_id and same_data:
        return Reference(
            None,
            RECORD,
            f"This is the plan of record{cycle}, '{name}', approved {when}: no changes shown.",
        )
    on = f" on data v{int(data)}" if pd.notna(data) and not same_data else ""
    caption = (
        f"Changes against the plan of record{cycle} '{name}', approved {when}{on}, "
        "as approved then."
    )
    snap = rec.snapshot if this_cycle else rec.previous
    if snap is None:
        caption += " Its figures were not kept: no changes shown."
    return Reference({} if snap is None else dict(snap.kpis), RECORD, caption)


def tiles(
    kpis: Mapping[str, float],
    currency: str,
    horizon: int | None = None,
    ref: Reference | None = None,
) -> list[list[Tile]]:
    """The picked plan's headline in rows (`TILES`): money, service rates, what runs
    short; each by `kpi_tile`, so a fill or on-time rate a unit short reads >99.9 %,
    never 100.0 %, and money without a price reads 'no price loaded'. With a `ref`
    holding KPIs, each tile shows its change against them (points for rates, money for
    money, units for units; green the better way: fewer lost units), none for a KPI
    the reference lacks (a snapshot saved by an older version)."""
    over = f" Over the plan's {horizon} months." if horizon else ""
    against = None if ref is None else ref.kpis
    rows = []
    for row in TILES:
        out = []
        for key, label in row:
            bare, extra = key == "lost_units", ""
            if against is not None and key in against:
                tile = kpi_tile(
                    key,
                    num(kpis, key),
                    currency,
                    reference=num(against, key),
                    against=ref.against,
                    label=label,
                    bare=bare,
                    fill=(num(kpis, "fill_rate"), num(against, "fill_rate")),
                )
            else:
                tile = kpi_tile(key, num(kpis, key), currency, label=label, bare=bare)
                if against is not None:
                    extra = (
                        f" The {ref.against} as approved holds no figure for this (its"
                        " snapshot was saved by an older version): no change shown."
                    )
            out.append(dataclasses.replace(tile, help=f"{tile.help or ''}{extra}{over}".strip()))
        rows.append(out)
    return rows


def log_line(kpis: Mapping[str, float] | None, currency: str) -> str:
    """What the decision log says of an approval's service, from its snapshot's KPIs:
    the `shortfall_line` (without "This plan "), "serves all demand on time: fill
    100.0 %, on-time 100.0 %", or '' when the snapshot is missing or holds no service
    rates (an old one)."""
    if not kpis:
        return ""
    line = shortfall_line(kpis, currency)
    if line is not None:
        return line.removeprefix("This plan ")
    fill, on_time = num(kpis, "fill_rate"), num(kpis, "on_time_rate")
    if math.isnan(fill) or math.isnan(on_time):
        return ""
    return f"serves all demand on time: fill {service_pct(fill)}, on-time {service_pct(on_time)}"


def not_planned(explanation: str | None) -> str:
    """Why the picked plan shows no figures: no plan can be made of it (`explanation`:
    the planner's reason, None without a demand plan). Plain text."""
    why = (explanation or "").strip().rstrip(".") or "there is no demand plan to plan it on"
    return f"This plan cannot be made on the active data: {why}."
