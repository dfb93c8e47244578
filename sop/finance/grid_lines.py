"""Which line limits a family month, for the S&OP grid (`sop.finance.grid`).

    lines = family_lines(tables, family)          # the lines its bill of resources loads
    top = tightest_lines(plan, lines)             # per month: the tightest of them
    hot = line_limits(plan, lines, months)        # those shut or full, with their months

The tightest line of a month is the one with the highest load hours / available
regular hours, a shut line (0 h) before any other. Utilisations (load / hours) within
`TIE` of each other (0.0001 percentage points) are a tie: an LP's full lines sit at
100 % give or take a rounding error (1e-16), and that noise must not pick the line. A tie goes to
the line with the fewer hours, then the code. A family's capacity counted in units
(`per` = unit) has no hours and is never a line here (`in_units`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sop.core import schema
from sop.supply.limit_kinds import CAPACITY, LABEL, LINE, plan_limits
from sop.supply.plan import PlanResult

# utilisations (load / hours, a fraction) closer than this are a tie: 0.0001 percentage
# points (100 % and 100 % + 2.2e-16 are one); far below the 0.1 % the row shows
TIE = 1e-6


@dataclass(frozen=True)
class LineLimit:
    """A line that limits a grid's plan: its display name (`sop.supply.limit_kinds`:
    "line RS-ASM1") and the plan months it is shut (0 available hours) and full (it
    binds, a bottleneck row of the plan's, while open), oldest first; `resource` its
    code ("RS-ASM1")."""

    label: str
    shut: tuple[pd.Timestamp, ...] = ()
    full: tuple[pd.Timestamp, ...] = ()
    resource: str = ""


def family_lines(tables: Mapping[str, pd.DataFrame], family: str | None) -> set[str]:
    """The lines (resources of kind line) `family`'s bill of resources loads; None: all."""
    res = tables[schema.RESOURCES]
    lines = set(res.loc[res[schema.KIND] == schema.KIND_LINE, schema.RESOURCE])
    if family is None:
        return lines
    bor = tables[schema.BILL_OF_RESOURCES]
    fam = tables[schema.PRODUCTS].set_index(schema.SKU)[schema.FAMILY]
    owner = bor[schema.FAMILY].where(bor[schema.FAMILY].notna(), bor[schema.SKU].map(fam))
    return lines & set(bor.loc[owner == family, schema.RESOURCE])


def in_units(ru: pd.DataFrame) -> pd.Series:
    """True for the rows of a family's capacity counted in units (`per` = unit)."""
    return ru["per"].eq("unit") if "per" in ru else pd.Series(False, index=ru.index)


def _hour_lines(plan: PlanResult, lines: set[str]) -> pd.DataFrame:
    """The resource use of `lines` counted in hours (a capacity in units is no hours)."""
    ru = plan.resource_use
    ru = ru[ru[schema.RESOURCE].isin(lines)]
    return ru[~in_units(ru)]


def tightest_lines(plan: PlanResult, lines: set[str]) -> pd.DataFrame:
    """Per month, the tightest of `lines`: the highest load hours / available regular
    hours (utilisations within `TIE` of it tie), a shut line (0 h) first; ties go to the fewer
    hours, then the code. Index month; columns resource, available_hours, load_hours
    (no row for a month without a line in hours)."""
    ru = _hour_lines(plan, lines)
    cols = [schema.RESOURCE, schema.AVAILABLE_HOURS, "load_hours"]
    if ru.empty:
        return pd.DataFrame(columns=cols, index=pd.Index([], name=schema.MONTH))
    hours = ru[schema.AVAILABLE_HOURS].astype(float)
    load = ru["load_hours"].astype(float).fillna(0.0)
    tight = (load / hours.where(hours > 0)).where(hours > 0, np.inf)
    top = tight.groupby(ru[schema.MONTH]).transform("max")
    near = tight >= top - TIE  # a shut line: inf >= inf, and no open line is near it
    ranked = (
        ru[near]
        .assign(_h=hours[near])
        .sort_values([schema.MONTH, "_h", schema.RESOURCE], kind="stable")
    )
    return ranked.drop_duplicates(schema.MONTH).set_index(schema.MONTH)[cols]


def line_limits(plan: PlanResult, lines: set[str], months: list) -> tuple[LineLimit, ...]:
    """The lines of `lines` shut (0 available regular hours) or full (a capacity row of
    the plan's bottleneck table) in one of `months`, each with those months; named as
    `sop.supply.limit_kinds.plan_limits` names them ("line RS-ASM1"), in its order."""
    ru = _hour_lines(plan, lines)
    ru = ru[ru[schema.MONTH].isin(months)]
    shut = ru[ru[schema.AVAILABLE_HOURS].astype(float) <= 0]
    b = plan.bottlenecks
    full = pd.DataFrame(columns=[schema.RESOURCE, schema.MONTH])
    if not b.empty and schema.MONTH in b:
        full = b[(b["constraint"] == CAPACITY) & b[schema.RESOURCE].isin(set(ru[schema.RESOURCE]))]
        full = full[full[schema.MONTH].isin(months)]
    lim = plan_limits(plan)
    lim = lim[(lim["kind"] == LINE) & (lim["constraint"] == CAPACITY)]
    out = []
    for code, label in zip(lim[schema.RESOURCE], lim[LABEL]):
        off = sorted(pd.Timestamp(m) for m in shut.loc[shut[schema.RESOURCE] == code, schema.MONTH])
        on = full.loc[full[schema.RESOURCE] == code, schema.MONTH]
        hot = sorted({pd.Timestamp(m) for m in on} - set(off))
        if off or hot:
            out.append(LineLimit(label, tuple(off), tuple(hot), str(code)))
    return tuple(out)
