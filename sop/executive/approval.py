"""What a plan costs in service, said where it is approved: the Decisions page's tiles
of the plan picked, each with its change against the plan of record (`reference`:
this cycle's, else the latest earlier one, as approved then; the baseline plan when
there is none), under revenue and gross margin the plan against the budget over the
budget's months (`sop.executive.budget_lines`, with the page's other budget lines), and
for each approval in the decision log the line on what it does not serve
(`sop.finance.service_line`), from the KPIs its snapshot stored
(`snapshots.PlanSnapshot.kpis`), so the log says what was approved.

The picked plan is "the plan of record itself" (no changes shown) only when approving
it would store the same plan: same scenario, data version, plan settings, levers and
months. Otherwise the caption says what differs; a plan setting a lever decides
(overtime, subcontracting or hiring off; ending units) is the levers' difference, never
"other plan settings". Each tile is its plan's total over its own months (fill and
on-time rates, lost and late values are defined over a whole plan, so they are not
re-cut to the months two plans share); when the months differ, the caption says so.

Pure: KPIs (`sop.finance.kpis.plan_kpis`) in, tiles and strings out. A figure the
KPIs lack (a snapshot saved by an older version) reads as not known, never as 0: its
tile shows no change. Such a snapshot holds no late units, nor a late value (it priced
unit-months then: `snapshots.kpis_as_kept` drops it as the snapshot is read).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd

from sop.core import fmt, schema
from sop.executive import decisions
from sop.executive.budget_lines import budget_line
from sop.executive.snapshots import PlanSnapshot, kpis_as_kept
from sop.finance.kpi_text import service_pct
from sop.finance.service_line import num, shortfall_line
from sop.finance.tiles import Tile, kpi_tile
from sop.scenario.apply import apply_policy
from sop.scenario.levers import Levers
from sop.scenario.wording import moved_text
from sop.supply.policy import CHOICE_LABELS, SupplyPolicy, field_help, field_labels


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
        ("late_units", "Late (units)"),
        ("late_value", "Late deliveries (value)"),
    ),
)

# unit counts whose label names the unit ("Late (units)"): the value bare
BARE = ("lost_units", "late_units")

RECORD, BASELINE = "plan of record", "baseline"
# plan settings that change neither the plan nor a figure on the tiles (the Executive
# risk thresholds): a record approved under other thresholds is still the same plan
NOT_ON_TILES = ("risk_revenue_gap_pct", "risk_margin_gap_pct", "on_time_target_pct")
SETTINGS_NAMED = 3  # differing plan settings named in the caption; the rest counted
COUNTED = ("months", "days", "weeks")  # units a setting counts: "1 month", "3 months"


@dataclass(frozen=True)
class Reference:
    """What the picked plan's tiles are set against: `kpis` (None: no changes shown, the
    picked plan is the reference itself or there is none), `against` (the tiles' word
    for it: `RECORD` or `BASELINE`) and `caption` (Markdown, every name escaped)."""

    kpis: Mapping[str, float] | None
    against: str
    caption: str


@dataclass(frozen=True)
class Picked:
    """The picked plan as approving it would store it (`snapshots.make_snapshot`):
    saved scenario `scenario_id` (0 the baseline) planned on dataset `version` with
    `levers` under the plan settings `policy` (the levers' on/off switches applied:
    `PlanResult.policy`), covering `months` (first, last; None: not known)."""

    scenario_id: int
    version: int | None
    policy: SupplyPolicy
    levers: Levers
    months: tuple[pd.Timestamp, pd.Timestamp] | None

    @classmethod
    def of(cls, scenario_id: int, version: int | None, evaluation) -> Picked:
        """The picked plan of an optimal `sop.scenario.Evaluation`."""
        plan = evaluation.plan
        return cls(
            scenario_id, version, plan.policy, evaluation.levers, plan_months(plan.family_plan)
        )

    @property
    def month_count(self) -> int | None:
        """How many months the plan covers, first to last (None: not known)."""
        if self.months is None:
            return None
        first, last = self.months
        return (last.year - first.year) * 12 + last.month - first.month + 1


def plan_months(family_plan: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The first and last month a family plan covers (None when it holds none)."""
    months = pd.to_datetime(family_plan[schema.MONTH]) if len(family_plan) else None
    if months is None or months.isna().all():
        return None
    return pd.Timestamp(months.min()), pd.Timestamp(months.max())


def _span(months: tuple[pd.Timestamp, pd.Timestamp]) -> str:
    return fmt.month_span(*months)


def _lower(label: str) -> str:
    """A screen label inside a sentence: first letter lower case, an abbreviation kept."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def _value(value: Any, unit: str = "", choice: bool = False) -> str:
    """A setting's value in words with its `unit`: 'on', '3 % of price per month late',
    'units per family' (a choice by its screen label, `CHOICE_LABELS`), 'Cooling 500
    units and Heating 200 units' (units per family: each family's, the unit is theirs)."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, tuple):  # (family, units) pairs: `SupplyPolicy.ending_units`
        return " and ".join(f"{k} {fmt.units(v)}" for k, v in value) or "none"
    if choice and value in CHOICE_LABELS:
        return _lower(CHOICE_LABELS[value])
    head, sep, rest = unit.partition(" ")
    if head in COUNTED and isinstance(value, int | float):  # '1 month of cover'
        return fmt.count(value, head.removesuffix("s")) + sep + rest
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{text} {unit}".strip()


def setting_change(name: str, then: Any, now: Any) -> str:
    """One plan setting as approved and now, in words, each value with its unit:
    'horizon 12 months, now 18 months', 'overtime off, now on', 'ending inventory
    Cooling 500 units, now Cooling 800 units' (the Supply page's label without its unit
    and 'allowed'; a choice by its label: 'planning level family x plant, now SKU')."""
    label = field_labels()[name]
    base, _, unit = label.partition(" (")
    base, unit = _lower(base.removesuffix(" allowed")), unit.removesuffix(")")
    choice = bool(field_help()[name][1])
    return f"{base} {_value(then, unit, choice)}, now {_value(now, unit, choice)}"


def lever_settings(levers: Levers | None) -> set[str]:
    """The plan settings `levers` decide (`sop.scenario.apply.apply_policy`: overtime,
    subcontracting or hiring turned off, ending units per family): a plan's stored
    settings hold them with the levers applied, so they say nothing of the plan
    settings themselves. Unreadable levers (None) may have decided any of them."""
    if levers is None:
        levers = Levers(
            overtime_allowed=False,
            subcontract_allowed=False,
            hiring_allowed=False,
            ending_units=(("", 1.0),),
        )
    before = SupplyPolicy().as_dict()
    after = apply_policy(SupplyPolicy(), levers).as_dict()
    return {k for k, v in after.items() if v != before[k]}


def settings_changes(
    then: Mapping[str, Any], now: SupplyPolicy, levers: set[str] | frozenset[str] = frozenset()
) -> list[str] | None:
    """The plan settings the record was approved under (`PlanSnapshot.settings`) that
    differ from `now`, each by `setting_change`, in the settings' order; the risk
    thresholds (`NOT_ON_TILES`) and the settings either plan's levers decide (`levers`,
    `lever_settings`: the levers' clause says those) are left out. None when the record
    kept no settings (a snapshot saved by an older version); a setting it lacks had
    its default."""
    if not then:
        return None
    old, new = SupplyPolicy.from_dict(dict(then)).as_dict(), now.as_dict()
    return [
        setting_change(k, old[k], new[k])
        for k in new
        if k not in NOT_ON_TILES and k not in levers and old[k] != new[k]
    ]


def _settings_clause(changes: list[str] | None) -> str:
    if changes is None:
        return "under plan settings it did not keep (saved by an older version)"
    named = changes[:SETTINGS_NAMED]
    more = len(changes) - len(named)
    return f"with other plan settings ({'; '.join(named + ([f'and {more} more'] if more else []))})"


def _levers_then(levers: Mapping[str, Any]) -> Levers | None:
    parsed, errors = Levers.parse(levers)
    return None if errors else parsed


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


def levers_change(then: Levers | None, now: Levers, cap_names: Mapping[str, str] | None) -> str:
    """The levers as approved and now, in the Scenarios page's words
    (`sop.scenario.wording.moved_text`; a supplier cap as 'code · name' by `cap_names`):
    'with other levers (then: demand, all families +10 % — now: demand, all families
    +12 %)'. Plain text."""
    was = "not readable" if then is None else moved_text(then, cap_names)
    return f"with other levers (then: {was} — now: {moved_text(now, cap_names)})"


def _differences(
    entry: pd.Series,
    snap: PlanSnapshot | None,
    picked: Picked,
    cap_names: Mapping[str, str] | None = None,
) -> list[str]:
    """What the plan of record was approved with that the picked plan has not, each a
    clause of the caption ('on data v3 (now v5)', 'with other plan settings (...)',
    `levers_change`); its months are `_months_note`. A record without its snapshot
    differs by what its entry says (scenario, data) and 'its figures were not kept'."""
    out = []
    data = entry["dataset_version"]
    if pd.isna(data) or picked.version is None or int(data) != int(picked.version):
        known = "" if pd.isna(data) else f" v{int(data)}"
        now = "" if picked.version is None else f" (now v{int(picked.version)})"
        out.append(f"on data{known or ' not recorded'}{now}")
    if snap is None:
        return out
    then = _levers_then(snap.levers)
    # both plans' settings are stored with their levers applied: what a lever turned
    # off is the levers' difference, not the plan settings'
    driven = lever_settings(then) | lever_settings(picked.levers)
    changes = settings_changes(snap.settings, picked.policy, driven)
    if changes is None or changes:
        out.append(_settings_clause(changes))
    if int(entry["scenario_id"] or 0) == picked.scenario_id and then != picked.levers:
        out.append(levers_change(then, picked.levers, cap_names))
    return out


def _months_note(snap: PlanSnapshot | None, picked: Picked) -> str:
    """The sentence saying the two plans cover other months ('' when the same or not
    known): each tile is over its own plan's months, so the change holds the shift."""
    then = None if snap is None else plan_months(snap.family_plan)
    if then is None or picked.months is None or then == picked.months:
        return ""
    return (
        f" Its plan covers {_span(then)}, this one {_span(picked.months)}: each figure is"
        " a total over its own plan's months, so a change also holds the months that differ."
    )


def reference(
    rec: Records,
    picked: Picked,
    baseline: Mapping[str, float] | None,
    cap_names: Mapping[str, str] | None = None,
) -> Reference:
    """What the tiles of the `picked` plan are set against: the plan of record
    (`record_entry`) as approved then, its snapshot's KPIs; with none, the `baseline`
    plan's KPIs on the same data (None: it cannot be made). The picked plan is the plan
    of record itself only when it is the same scenario approved on the same data, under
    the same plan settings (`settings_changes`), with the same levers and over the same
    months: then no changes are shown (its figures are the record's), and the caption
    says so. Otherwise the caption says what differs (data, settings, levers, months);
    the figures are each plan's totals over its own months. `cap_names` (supplier cap
    code -> name, `sop.supply.explain.cap_names` of the data) names a supplier cap in
    the levers' words."""
    entry, this_cycle = record_entry(rec)
    if entry is None:
        if picked.scenario_id == 0:
            why = "this is the baseline plan"
        elif baseline is None:
            why = "the baseline plan cannot be made on the active data"
        else:
            return Reference(baseline, BASELINE, "Changes against the baseline plan.")
        return Reference(None, BASELINE, f"No plan of record yet, and {why}: no changes shown.")
    name = fmt.md(decisions.entry_name(entry))
    when = pd.Timestamp(entry["made_at"]).strftime("%d %b %Y")
    cycle = "" if this_cycle else f" of the {fmt.month(entry['cycle'])} cycle"
    snap = rec.snapshot if this_cycle else rec.previous
    differs = _differences(entry, snap, picked, cap_names)
    months = _months_note(snap, picked)
    same = int(entry["scenario_id"] or 0) == picked.scenario_id
    if same and snap is not None and not differs and not months:
        return Reference(
            None,
            RECORD,
            f"This is the plan of record{cycle}, '{name}', approved {when}: no changes shown.",
        )
    # the data clause names no one's text; settings and levers may (family, supplier)
    how = "".join(f" {d}" if d.startswith("on data") else f", {fmt.md(d)}" for d in differs)
    caption = (
        f"Changes against the plan of record{cycle} '{name}', approved {when}{how}, "
        f"as approved then.{months}"
    )
    if snap is None:
        caption += " Its figures were not kept: no changes shown."
    return Reference({} if snap is None else dict(snap.kpis), RECORD, caption)


def tiles(
    kpis: Mapping[str, float],
    currency: str,
    horizon: int | None = None,
    ref: Reference | None = None,
    budget: Mapping[str, float] | None = None,
) -> list[list[Tile]]:
    """The picked plan's headline in rows (`TILES`): money, service rates, what runs
    short; each by `kpi_tile`, so a fill or on-time rate a unit short reads >99.9 %,
    never 100.0 %, and money without a price reads 'no price loaded'. With a `ref`
    holding KPIs, each tile shows its change against them (points for rates, money for
    money, units for units; green the better way: fewer lost or late units), none for a
    KPI the reference lacks (a snapshot saved by an older version: its help says so).
    With a `budget` (`statement.budget_kpis` of the plan: `Evaluation.budget`), revenue
    and gross margin carry the budget line under them (`budget_line`)."""
    over = f" Over the plan's {horizon} months." if horizon else ""
    # read as the snapshot reader reads it: an older version's late value is no figure
    against = None if ref is None or ref.kpis is None else kpis_as_kept(dict(ref.kpis))
    rows = []
    for row in TILES:
        out = []
        for key, label in row:
            bare, extra = key in BARE, ""
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
            line = budget_line(key, budget or {}, currency)
            out.append(
                dataclasses.replace(
                    tile,
                    help=f"{tile.help or ''}{extra}{over}".strip(),
                    notes=(*tile.notes, line) if line else tile.notes,
                )
            )
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
