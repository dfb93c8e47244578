"""Rules about resources and their hours: lines have a capacity calendar and labour
pools a workforce row (not the other way round), overtime costs more than regular
time, each calendar row gives its hours, hours come with a bill of resources, and
every line's calendar covers the plan horizon (the first `PLAN_MONTHS_REQUIRED`
months, else an error; a default horizon, else a warning). A family's capacity in
units (`family_capacity`) covers the horizon the same way.

The rules read the tables as loaded and as completed by `sop.data.defaults` (a code
of `capacity` is a line, of `workforce` a labour pool, when `resources` does not list
it). A code of `capacity` or `workforce` that a loaded `resources` table does not list
is named (a typo such as `RS-ASMl` would otherwise become a line of its own), with the
listed code it looks like (`sop.data.nearcode`)."""

from __future__ import annotations

import pandas as pd

from sop.core import schema
from sop.core.months import DEFAULT_HORIZON, as_of_month, plan_months
from sop.core.tables import TABLES
from sop.data.defaults import family_resource
from sop.data.nearcode import near_text, same_but_case
from sop.data.readers import ERROR, WARNING
from sop.data.report import ROW, Run

PLAN_MONTHS_REQUIRED = 12
LISTED = "Hours are for listed resources"


def _listed_resources(
    r: pd.DataFrame,
    cap: pd.DataFrame | None,
    wf: pd.DataFrame | None,
    files: dict[str, str],
    run: Run,
) -> set:
    """Rows of capacity and workforce for a code the loaded resources do not list: a
    warning naming the rows and the code it looks like (it is planned as a resource of
    its own with no hourly cost). The unlisted codes."""
    listed = set(r[schema.RESOURCE].dropna())
    unlisted: set = set()
    for df, name, what in ((cap, schema.CAPACITY, "line"), (wf, schema.WORKFORCE, "labour pool")):
        if df is None:
            continue
        bad = df[schema.RESOURCE].notna() & ~df[schema.RESOURCE].isin(listed)
        codes = sorted(df.loc[bad, schema.RESOURCE].astype(str).unique())
        unlisted |= set(codes)
        hints = "; ".join(h for c in codes[:5] if (h := near_text(c, listed)))
        them = "them" if len(codes) > 1 else "it"
        run.rows(
            LISTED,
            TABLES[name],
            df,
            files[name],
            bad,
            schema.RESOURCE,
            f"name {what}{'s' * (len(codes) > 1)} {', '.join(codes[:5])}"
            f"{' ...' * (len(codes) > 5)}, which {files[schema.RESOURCES]} does not list",
            f"Add {them} to resources or correct the code{f' ({hints})' if hints else ''}; "
            f"until then {them} {'are' if len(codes) > 1 else 'is'} planned as "
            f"{'separate ' + what + 's' if len(codes) > 1 else 'a ' + what + ' of its own'}"
            ", with no hourly cost.",
            WARNING,
        )
    return unlisted


def _calendars_match_kind(
    kind: dict[str, str],
    cap: pd.DataFrame | None,
    wf: pd.DataFrame | None,
    files: dict[str, str],
    run: Run,
) -> None:
    """Capacity rows are for lines, workforce rows for labour pools."""
    T = TABLES
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
        bad = wf[schema.RESOURCE].map(kind).eq(schema.KIND_LINE)
        run.rows(
            "Workforce rows are for labour pools",
            T[schema.WORKFORCE],
            wf,
            files[schema.WORKFORCE],
            bad,
            schema.RESOURCE,
            _a_or_many(int(bad.sum()), "a line, not a labour pool", "lines, not labour pools"),
            "Set the resource's kind to `labour`, or give the line a capacity calendar instead.",
        )


def _a_or_many(n: int, one: str, many: str) -> str:
    """A row problem that reads right for one row and for many ("is a line ...")."""
    return f"is {one}" if n == 1 else f"are {many}"


def _twins(missing: pd.Series, df: pd.DataFrame | None, listed: set, file: str | None) -> str:
    """Codes of `df` (capacity, workforce) that resources do not list and that differ
    only in case or spaces from a code of `missing`: ' file has `l1`, which ...'."""
    if df is None or not file:
        return ""
    orphans = set(df[schema.RESOURCE].dropna()) - listed
    said = [
        f"`{o}`, which differs only in case or spaces from `{c}`"
        for c in missing.astype(str).head(5)
        if (o := same_but_case(c, orphans)) is not None
    ]
    return f" {file} has {'; '.join(said)}: write the code the same way in both." if said else ""


def _every_resource_has_hours(
    r: pd.DataFrame,
    cap: pd.DataFrame | None,
    wf: pd.DataFrame | None,
    files: dict[str, str],
    run: Run,
) -> None:
    """Lines have a capacity calendar, labour pools a workforce row; a calendar or
    workforce row for the code in another case or spacing is pointed out."""
    T, f = TABLES, files[schema.RESOURCES]
    listed = set(r[schema.RESOURCE].dropna())
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
        _a_or_many(
            int(no_cal.sum()),
            "a line without a capacity calendar",
            "lines without a capacity calendar",
        ),
        ("Add its months" if int(no_cal.sum()) == 1 else "Add their months")
        + " to capacity."
        + _twins(r.loc[no_cal, schema.RESOURCE], cap, listed, files.get(schema.CAPACITY)),
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
        _a_or_many(
            int(no_wf.sum()),
            "a labour pool without a workforce row",
            "labour pools without a workforce row",
        ),
        ("Add its" if int(no_wf.sum()) == 1 else "Add their")
        + " headcount and hours per worker to workforce."
        + _twins(r.loc[no_wf, schema.RESOURCE], wf, listed, files.get(schema.WORKFORCE)),
    )


def _missing_months(
    have: set, as_of: pd.Timestamp
) -> tuple[list[pd.Timestamp], list[pd.Timestamp], list[pd.Timestamp]]:
    """(plan months missing within the required months, within the default horizon,
    the months a default plan needs)."""
    need = plan_months(as_of, max(DEFAULT_HORIZON, PLAN_MONTHS_REQUIRED))
    gone = [m for m in need if m not in have]
    return [m for m in gone if m <= need[PLAN_MONTHS_REQUIRED - 1]], gone, list(need)


def _coverage_text(
    hard: list[pd.Timestamp],
    gone: list[pd.Timestamp],
    need: list,
    as_of: pd.Timestamp,
    fix: str,
    what: str = "hours",
) -> tuple[str, str]:
    """(severity, the end of the sentence) for months missing from a calendar: `fix`
    says what to add, `what` what the plan repeats from the nearest month."""
    shown = hard or gone
    months = f"{', '.join(m.strftime('%Y-%m') for m in shown[:6])}{' ...' * (len(shown) > 6)}"
    if hard:
        return ERROR, (
            f"{len(hard)} of the {PLAN_MONTHS_REQUIRED} months after {as_of:%Y-%m} "
            f"({months}). {fix}."
        )
    return WARNING, (
        f"{len(gone)} of the {len(need)} months a plan covers by default "
        f"({months}): the Supply plan repeats the nearest month's {what} there. "
        f"{fix}, or plan a shorter horizon (Plan settings on the Supply page)."
    )


def _capacity_covers_horizon(
    lines: list[str],
    cap: pd.DataFrame,
    f: str,
    as_of: pd.Timestamp,
    run: Run,
    unlisted: tuple[set, str] = (set(), ""),
) -> None:
    """Every line with a calendar has the `PLAN_MONTHS_REQUIRED` months after the as-of
    month (an error) and the rest of a default plan horizon (a warning: the plan would
    repeat the nearest month's hours there). A code the resources file (`unlisted`:
    the codes, the file) does not list is said to be one before months are asked for."""
    check = "Capacity covers the plan horizon"
    run.ran(check, schema.CAPACITY)
    calendars = set(cap[schema.RESOURCE])
    for res in lines:
        if res not in calendars:
            continue
        hard, gone, need = _missing_months(
            set(cap.loc[cap[schema.RESOURCE] == res, schema.MONTH]), as_of
        )
        if not gone:
            continue
        severity, text = _coverage_text(
            hard, gone, need, as_of, "Add those months (0 working days for a shutdown)"
        )
        stray = f" (not in {unlisted[1]}: correct the code if it is a typo)"
        run.flag(
            check,
            schema.CAPACITY,
            severity,
            f"{f}: line {res}{stray * (res in unlisted[0])} has no capacity for {text}",
            len(hard or gone),
            f,
            schema.MONTH,
        )


def _capacity_rows_give_hours(cap: pd.DataFrame, f: str, run: Run) -> None:
    """A calendar row gives available_hours, or all four factors of it."""
    parts = [schema.WORKING_DAYS, schema.SHIFTS, schema.HOURS_PER_SHIFT, schema.EFFICIENCY]
    run.rows(
        "Capacity rows give their hours",
        TABLES[schema.CAPACITY],
        cap,
        f,
        cap[schema.AVAILABLE_HOURS].isna() & cap[parts].isna().any(axis=1),
        schema.AVAILABLE_HOURS,
        "give neither available_hours nor all of working_days, shifts, hours_per_shift "
        "and efficiency",
        "Fill in available_hours (hours a month), or the four columns it is made of.",
    )


def _hours_need_routing(tables: dict[str, pd.DataFrame], files: dict[str, str], run: Run) -> None:
    """Capacity in hours (a calendar or a workforce) comes with a bill of resources."""
    check = "Hours come with a bill of resources"
    given = [n for n in (schema.CAPACITY, schema.WORKFORCE) if n in tables]
    if not given:
        return
    run.ran(check, schema.BILL_OF_RESOURCES)
    b = tables.get(schema.BILL_OF_RESOURCES)
    if b is not None and len(b):
        return
    names = " and ".join(files[n] for n in given)
    run.flag(
        check,
        schema.BILL_OF_RESOURCES,
        ERROR,
        f"{names}: capacity is given in hours but there is no bill_of_resources saying how "
        "many hours a unit needs. Add bill_of_resources (sku or family, resource, "
        "hours_per_unit), or give capacity in units a month per family in "
        "family_capacity instead.",
        1,
        names,
    )


def _family_capacity_rules(
    fc: pd.DataFrame, full: dict[str, pd.DataFrame], f: str, as_of: pd.Timestamp | None, run: Run
) -> None:
    """A family's capacity names a resource code of its own and covers the horizon."""
    T = TABLES
    own: set = set()
    for name in (schema.RESOURCES, schema.CAPACITY):
        df = full.get(name)
        if df is not None and ROW in df:
            own |= set(df.loc[df[ROW].notna(), schema.RESOURCE])
    clash = fc[schema.FAMILY].astype(str).map(family_resource).isin(own)
    run.rows(
        "Family capacity has its own code",
        T[schema.FAMILY_CAPACITY],
        fc,
        f,
        clash,
        schema.FAMILY,
        "name a family whose capacity code ('<family> capacity') is already a resource",
        "Rename that resource in resources and capacity.",
    )
    if as_of is None:
        return
    check = "Capacity covers the plan horizon"
    run.ran(check, schema.FAMILY_CAPACITY)
    for fam, rows in fc.groupby(schema.FAMILY, sort=True):
        if rows[schema.MONTH].isna().any():
            continue  # one figure for every month
        hard, gone, need = _missing_months(set(rows[schema.MONTH]), as_of)
        if not gone:
            continue
        severity, text = _coverage_text(
            hard,
            gone,
            need,
            as_of,
            "Add those months (or one row with no month for every month)",
            "units",
        )
        run.flag(
            check,
            schema.FAMILY_CAPACITY,
            severity,
            f"{f}: family {fam} has no units a month for {text}",
            len(hard or gone),
            f,
            schema.MONTH,
        )


def resource_rules(
    tables: dict[str, pd.DataFrame],
    files: dict[str, str],
    full: dict[str, pd.DataFrame],
    run: Run,
) -> None:
    """Every rule about resources, their hours and family capacity, in the order the
    checks are listed. `full` is `tables` completed by `sop.data.defaults`."""
    T = TABLES
    cap, wf = tables.get(schema.CAPACITY), tables.get(schema.WORKFORCE)
    fc = tables.get(schema.FAMILY_CAPACITY)
    units = set() if fc is None else {family_resource(x) for x in fc[schema.FAMILY]}
    res = full[schema.RESOURCES]
    res = res[~res[schema.RESOURCE].isin(units)]
    kind = dict(zip(res[schema.RESOURCE], res[schema.KIND]))
    if (r := tables.get(schema.RESOURCES)) is not None:
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
        given = res[res[ROW].notna()].astype({ROW: "int64"}) if ROW in res else r
        _every_resource_has_hours(given, cap, wf, files, run)
        unlisted = (_listed_resources(r, cap, wf, files, run), f)
    else:
        unlisted = (set(), "")
    _calendars_match_kind(kind, cap, wf, files, run)
    if cap is not None:
        _capacity_rows_give_hours(cap, files[schema.CAPACITY], run)
    _hours_need_routing(tables, files, run)
    as_of = as_of_month(tables)
    if fc is not None:
        _family_capacity_rules(fc, full, files[schema.FAMILY_CAPACITY], as_of, run)
    if cap is None or as_of is None:
        return
    lines = [c for c, k in kind.items() if k == schema.KIND_LINE]
    _capacity_covers_horizon(lines, cap, files[schema.CAPACITY], as_of, run, unlisted)
