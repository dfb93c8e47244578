"""Rules about resources and their hours: lines have a capacity calendar and labour
pools a workforce row (not the other way round), overtime costs more than regular
time, and every line's calendar covers the plan horizon (the first
`PLAN_MONTHS_REQUIRED` months, else an error; a default horizon, else a warning)."""

from __future__ import annotations

import pandas as pd

from sop.core import schema
from sop.core.months import DEFAULT_HORIZON, as_of_month, plan_months
from sop.core.tables import TABLES
from sop.data.readers import ERROR, WARNING
from sop.data.report import Run

PLAN_MONTHS_REQUIRED = 12


def _calendars_match_kind(
    r: pd.DataFrame,
    cap: pd.DataFrame | None,
    wf: pd.DataFrame | None,
    files: dict[str, str],
    run: Run,
) -> None:
    """Capacity rows are for lines, workforce rows for labour pools."""
    T = TABLES
    kind = dict(zip(r[schema.RESOURCE], r[schema.KIND]))
    if cap is not None:
        run.rows(
            "Capacity rows are for lines",
            T[schema.CAPACITY],
            cap,
            files[schema.CAPACITY],
            cap[schema.RESOURCE].map(kind).eq(schema.KIND_LABOUR),
            schema.RESOURCE,
            "give a calendar to a labour pool",
            "Labour hours come from the workforce table: move "
            "them there, or make the resource a `line`.",
        )
    if wf is not None:
        run.rows(
            "Workforce rows are for labour pools",
            T[schema.WORKFORCE],
            wf,
            files[schema.WORKFORCE],
            wf[schema.RESOURCE].map(kind).eq(schema.KIND_LINE),
            schema.RESOURCE,
            "are lines, not labour pools",
            "Set the resource's kind to `labour`, or give the line a capacity calendar instead.",
        )


def _every_resource_has_hours(
    r: pd.DataFrame, cap: pd.DataFrame | None, wf: pd.DataFrame | None, f: str, run: Run
) -> None:
    """Lines have a capacity calendar, labour pools a workforce row."""
    T = TABLES
    lines = r[schema.KIND] == schema.KIND_LINE
    no_cal = lines & ~r[schema.RESOURCE].isin(
        set(cap[schema.RESOURCE]) if cap is not None else set()
    )
    run.rows(
        "Every resource has hours",
        T[schema.RESOURCES],
        r,
        f,
        no_cal,
        schema.RESOURCE,
        "are lines without a capacity calendar",
        "Add their months to capacity.",
    )
    labour = r[schema.KIND] == schema.KIND_LABOUR
    no_wf = labour & ~r[schema.RESOURCE].isin(set(wf[schema.RESOURCE]) if wf is not None else set())
    run.rows(
        "Every resource has hours",
        T[schema.RESOURCES],
        r,
        f,
        no_wf,
        schema.RESOURCE,
        "are labour pools without a workforce row",
        "Add their headcount and hours per worker to workforce.",
    )


def _capacity_covers_horizon(
    r: pd.DataFrame, cap: pd.DataFrame, f: str, as_of: pd.Timestamp, run: Run
) -> None:
    """Every line with a calendar has the `PLAN_MONTHS_REQUIRED` months after the as-of
    month (an error) and the rest of a default plan horizon (a warning: the plan would
    repeat the nearest month's hours there)."""
    lines = r[schema.KIND] == schema.KIND_LINE
    check = "Capacity covers the plan horizon"
    run.ran(check, schema.CAPACITY)
    need = plan_months(as_of, max(DEFAULT_HORIZON, PLAN_MONTHS_REQUIRED))
    calendars = set(cap[schema.RESOURCE])
    for res in r.loc[lines, schema.RESOURCE]:
        have = set(cap.loc[cap[schema.RESOURCE] == res, schema.MONTH])
        gone = [m for m in need if m not in have]
        if not gone or res not in calendars:
            continue
        hard = [m for m in gone if m <= need[PLAN_MONTHS_REQUIRED - 1]]
        shown = hard or gone
        months = f"{', '.join(m.strftime('%Y-%m') for m in shown[:6])}{' ...' * (len(shown) > 6)}"
        if hard:
            severity, text = (
                ERROR,
                f"{len(hard)} of the {PLAN_MONTHS_REQUIRED} months after {as_of:%Y-%m} "
                f"({months}). Add those months (0 working days for a shutdown).",
            )
        else:
            severity, text = (
                WARNING,
                f"{len(gone)} of the {len(need)} months a plan covers by default "
                f"({months}): the Supply plan repeats the nearest month's hours there. "
                "Add those months (0 working days for a shutdown), or plan a shorter "
                "horizon (Plan settings on the Supply page).",
            )
        run.flag(
            check,
            schema.CAPACITY,
            severity,
            f"{f}: line {res} has no capacity for {text}",
            len(shown),
            f,
            schema.MONTH,
        )


def resource_rules(
    tables: dict[str, pd.DataFrame], files: dict[str, str], r: pd.DataFrame, run: Run
) -> None:
    """Every rule about resources and their hours, in the order the checks are listed."""
    T = TABLES
    f = files[schema.RESOURCES]
    run.rows(
        "Overtime costs more than regular time",
        T[schema.RESOURCES],
        r,
        f,
        r[schema.OVERTIME_COST_PER_HOUR] < r[schema.REGULAR_COST_PER_HOUR],
        schema.OVERTIME_COST_PER_HOUR,
        "make overtime cheaper than a regular hour",
        "Check the two hourly costs; the plan will prefer overtime otherwise.",
        WARNING,
    )
    cap, wf = tables.get(schema.CAPACITY), tables.get(schema.WORKFORCE)
    _calendars_match_kind(r, cap, wf, files, run)
    _every_resource_has_hours(r, cap, wf, f, run)
    as_of = as_of_month(tables)
    if cap is None or as_of is None:
        return
    _capacity_covers_horizon(r, cap, files[schema.CAPACITY], as_of, run)
