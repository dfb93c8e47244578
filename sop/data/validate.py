"""Validation: raw files -> typed tables plus every finding, worded for a planner.

`validate_files` / `validate_dir` read and check a dataset; `check_tables`
re-checks typed tables (the active dataset in the store). Each check is named,
so the Data page can list every check with pass / warning / fail.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sop.core import schema
from sop.data.readers import ERROR, WARNING, Finding, RawTable, _suggest, read_dir, read_files

MAX_EXAMPLES = 50      # rows kept for the drill-down
SHOWN = 3              # examples quoted in a message
PLAN_MONTHS_REQUIRED = 12
PROMO_LOOKAHEAD = 18          # months after the as-of month checked for recurring events
ROW = "row"
_DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")
_SINGULAR = {"are": "is", "have": "has", "refer": "refers", "repeat": "repeats",
             "name": "names", "sell": "sells", "cost": "costs", "make": "makes",
             "end": "ends", "give": "gives", "hold": "holds"}


@dataclass
class Report:
    """Typed tables, findings and the list of checks run (status per check)."""

    tables: dict[str, pd.DataFrame]
    findings: list[Finding]
    checks: list[tuple[str, str]] = field(default_factory=list)   # (check, table) run

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
        for check, table in dict.fromkeys(self.checks + [(f.check, f.table) for f in self.findings]):
            hits = [f for f in self.findings if f.check == check and f.table == table]
            status = ("fail" if any(f.severity == ERROR for f in hits)
                      else "warning" if hits else "pass")
            rows.append({"check": check, "table": table, "status": status,
                         "count": sum(f.count for f in hits),
                         "message": "\n".join(f.message for f in hits)})
        out = pd.DataFrame(rows, columns=["check", "table", "status", "count", "message"])
        order = out["status"].map({"fail": 0, "warning": 1, "pass": 2})
        return out.iloc[order.argsort(kind="stable")].reset_index(drop=True)


class _Run:
    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.checks: list[tuple[str, str]] = []

    def ran(self, check: str, table: str) -> None:
        self.checks.append((check, table))

    def flag(self, check: str, table: str, severity: str, message: str, count: int = 1,
             file: str | None = None, column: str | None = None,
             examples: pd.DataFrame | None = None) -> None:
        self.ran(check, table)
        self.findings.append(Finding(check, table, severity, message, count, file, column,
                                     examples))

    def rows(self, check: str, t: schema.Table, df: pd.DataFrame, file: str, bad: pd.Series,
             column: str | None, problem: str, action: str, severity: str = ERROR,
             shown: pd.Series | None = None) -> None:
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
        self.flag(check, t.name, severity,
                  f"{file}{where}: {n} row{'s' * (n > 1)} {problem}: {_quote(ex, column, n)}. "
                  f"{action}", n, file, column, ex)


def _examples(t: schema.Table, bad: pd.DataFrame, column: str | None,
              shown: pd.Series | None) -> pd.DataFrame:
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


# --- typing ------------------------------------------------------------------
def _normalise_headers(raw: RawTable, t: schema.Table, run: _Run
                       ) -> tuple[pd.DataFrame | None, list[str]]:
    """(the frame with the model's columns and a `row` number, required columns that
    are missing); None when the header cannot be read at all."""
    df = raw.frame.copy()
    df.columns = [str(c).strip().lower().replace(" ", "_") for c in df.columns]
    run.ran("Columns are present and spelled right", t.name)
    if df.columns.duplicated().any():
        dup = sorted(set(df.columns[df.columns.duplicated()]))
        run.flag("Columns are present and spelled right", t.name, ERROR,
                 f"{raw.file}: column{'s' * (len(dup) > 1)} {', '.join(dup)} appear twice. "
                 "Keep one of each.", len(dup), raw.file)
        return None, []
    extra = [c for c in df.columns if c not in t.column_names]
    missing = [c.name for c in t.columns if c.required and c.name not in df.columns]
    for m in missing:
        hint = _suggest(m, extra)
        hint = hint.replace("Did you mean", "Is it misspelled as") if hint else ""
        run.flag("Columns are present and spelled right", t.name, ERROR,
                 f"{raw.file}: column `{m}` is missing.{hint} The `{t.name}` table needs "
                 f"columns: {', '.join(c.name for c in t.columns if c.required)}"
                 + (f" (optional: {', '.join(opt)})" if (opt := [
                     c.name for c in t.columns if not c.required]) else "") + ".",
                 1, raw.file, m)
    if extra:
        run.flag("Columns are present and spelled right", t.name, WARNING,
                 f"{raw.file}: column{'s' * (len(extra) > 1)} {', '.join(extra)} "
                 f"{'are' if len(extra) > 1 else 'is'} not in the data model and "
                 f"{'were' if len(extra) > 1 else 'was'} ignored.", len(extra), raw.file)
    for c in t.columns:
        if c.name not in df.columns:
            df[c.name] = pd.NA
    df = df[t.column_names].reset_index(drop=True)
    df.insert(0, ROW, np.arange(1, len(df) + 1))
    return df, missing


def _to_text(s: pd.Series) -> pd.Series:
    out = s.astype("object").where(s.notna(), None)
    out = out.map(lambda v: None if v is None else str(v).strip() or None)
    return out.astype("str").where(out.notna(), None)


def _to_number(s: pd.Series, decimal_comma: bool) -> pd.Series:
    if pd.api.types.is_bool_dtype(s):
        return pd.Series(np.nan, index=s.index)
    if pd.api.types.is_numeric_dtype(s):
        return pd.to_numeric(s, errors="coerce").astype("float64")
    text = s.astype("object").map(lambda v: v.strip() if isinstance(v, str) else v)
    if decimal_comma:
        text = text.map(lambda v: v.replace(",", ".") if isinstance(v, str)
                        and _DECIMAL_COMMA.match(v) else v)
    return pd.to_numeric(text, errors="coerce").astype("float64")


def _to_month(s: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        return pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")
    if pd.api.types.is_datetime64_any_dtype(s):
        out = s.dt.tz_localize(None) if getattr(s.dt, "tz", None) else s
        return out.astype("datetime64[us]")
    text = s.astype("object").map(lambda v: v.strip() if isinstance(v, str) else v)
    return pd.to_datetime(text, errors="coerce", format="ISO8601").astype("datetime64[us]")


def _type_columns(raw: RawTable, t: schema.Table, df: pd.DataFrame, run: _Run,
                  absent: tuple[str, ...] = ()) -> pd.DataFrame:
    f = raw.file
    for c in t.columns:
        if c.name in absent:            # already reported missing: check the others
            continue
        orig = df[c.name]
        given = orig.notna() & (orig.astype("object").map(lambda v: str(v).strip()) != "")
        flagged = pd.Series(False, index=df.index)
        if c.dtype == schema.STR:
            df[c.name] = _to_text(orig)
        elif c.dtype in (schema.FLOAT, schema.INT):
            num = _to_number(orig, raw.decimal_comma)
            text = orig.astype("object").map(lambda v: str(v).strip().lower())
            bad = given & num.isna() & ~text.isin(["nan", "na", "n/a", "null", "none"])
            run.rows("Values have the right type", t, df, f, bad, c.name,
                     "hold text where a number is expected", f"Write `{c.name}` as plain numbers ({c.unit}) "
                     "without units or thousands separators.", shown=orig)
            df[c.name], flagged = num.where(~bad), bad
        elif c.dtype == schema.DATE:
            month = _to_month(orig)
            bad = given & month.isna()
            run.rows("Dates can be read", t, df, f, bad, c.name, "have dates that cannot be "
                     "read", "Write months as YYYY-MM or YYYY-MM-DD (e.g. 2026-03).",
                     shown=orig)
            off = month.notna() & ((month.dt.day != 1) | (month != month.dt.normalize()))
            run.rows("Periods are calendar months", t, df, f, off, c.name,
                     "are not the first day of a month", "Data must be monthly: give each "
                     "month as its first day (2026-03-01). If the data is weekly or daily, "
                     "add it up by calendar month first.", shown=orig)
            df[c.name], flagged = month.where(~bad & ~off), bad | off
        typed = df[c.name]
        if not c.nullable:
            run.rows("No missing values", t, df, f, typed.isna() & ~flagged, c.name,
                     "are empty or NaN", f"Fill in `{c.name}` ({c.meaning.rstrip('.')}) or "
                     "remove the rows.", shown=orig)
        if c.dtype in (schema.FLOAT, schema.INT):
            _bounds(c, t, df, f, run)
        if c.allowed:
            bad = typed.notna() & ~typed.isin(c.allowed)
            run.rows("Values are allowed", t, df, f, bad, c.name,
                     f"have values outside {', '.join(c.allowed)}",
                     f"Use one of: {', '.join(c.allowed)}.", shown=orig)
    return df


def _bounds(c: schema.Column, t: schema.Table, df: pd.DataFrame, f: str, run: _Run) -> None:
    x = df[c.name]
    if c.positive:
        run.rows("Values are plausible", t, df, f, x.notna() & (x <= 0), c.name,
                 f"are zero or negative ({c.unit})", f"`{c.name}` must be above 0: "
                 "correct it, or remove the rows.")
    if c.min is not None:
        what = "negative" if c.min == 0 else f"below {c.min:g}"
        action = ("Demand cannot be negative: net returns into the month's demand or set "
                  "them to 0." if c.unit == "units" else
                  f"`{c.name}` must be at least {c.min:g} {c.unit}.")
        run.rows("Values are plausible", t, df, f, x.notna() & (x < c.min), c.name,
                 f"are {what}", action)
    if c.max is not None:
        run.rows("Values are plausible", t, df, f, x.notna() & (x > c.max), c.name,
                 f"are above {c.max:g} {c.unit}", f"`{c.name}` must be at most {c.max:g} "
                 f"{c.unit}; check the unit (e.g. a fraction, not a percentage).")


# --- table and cross-table rules --------------------------------------------
def _keys(t: schema.Table, df: pd.DataFrame, f: str, run: _Run) -> None:
    dup = df.duplicated(subset=list(t.key), keep=False)
    periods = schema.MONTH in t.key
    run.rows("Periods are not duplicated" if periods else "Keys are unique", t, df, f, dup,
             None, f"repeat the same {' + '.join(t.key)}",
             "Each month must appear once per series: add the duplicates together or "
             "remove the repeat." if periods else "Remove or merge the duplicated rows.")


def _foreign_keys(tables: dict[str, pd.DataFrame], files: dict[str, str], run: _Run) -> None:
    for name, df in tables.items():
        t = schema.TABLES[name]
        for fk in t.foreign_keys:
            ref = tables.get(fk.ref_table)
            if ref is None:
                continue
            bad = df[fk.column].notna() & ~df[fk.column].isin(set(ref[fk.ref_column]))
            unknown = sorted(df.loc[bad, fk.column].astype(str).unique())
            label = "unknown resource" if fk.column == schema.RESOURCE else f"unknown {fk.column}"
            run.rows("References exist", t, df, files[name], bad, fk.column,
                     f"refer to {label}{'s' * (len(unknown) > 1)} "
                     f"{', '.join(unknown[:5])}{' ...' if len(unknown) > 5 else ''}",
                     f"Add {'them' if len(unknown) > 1 else 'it'} to "
                     f"{fk.ref_table}, or correct the code.")


def _one_of_sku_family(t: schema.Table, df: pd.DataFrame, f: str, run: _Run) -> None:
    both = df[schema.SKU].notna() == df[schema.FAMILY].notna()
    run.rows("Rows name a SKU or a family", t, df, f, both, None,
             "name both a SKU and a family, or neither", "Fill exactly one of `sku` and "
             "`family` per row.")


def _ordered(t: schema.Table, df: pd.DataFrame, f: str, run: _Run, first: str, last: str) -> None:
    bad = df[first].notna() & df[last].notna() & (df[last] < df[first])
    run.rows("Date ranges run forwards", t, df, f, bad, last, f"end before `{first}`",
             f"Make `{last}` the same as or later than `{first}`.")


def as_of_month(tables: dict[str, pd.DataFrame]) -> pd.Timestamp | None:
    """The last month of actuals: company.as_of_month, else the last sales month."""
    company = tables.get(schema.COMPANY)
    if company is not None and len(company) and pd.notna(company[schema.AS_OF_MONTH].iloc[0]):
        return pd.Timestamp(company[schema.AS_OF_MONTH].iloc[0])
    sales = tables.get(schema.SALES)
    if sales is None or sales[schema.MONTH].dropna().empty:
        return None
    return pd.Timestamp(sales[schema.MONTH].max())


def active_skus(products: pd.DataFrame, from_month: pd.Timestamp) -> pd.Series:
    """SKUs still sold on or after `from_month`."""
    alive = products[schema.PHASE_OUT_MONTH].isna() | (products[schema.PHASE_OUT_MONTH] >= from_month)
    return products.loc[alive, schema.SKU]


def series_gaps(sales: pd.DataFrame) -> pd.DataFrame:
    """Months missing inside each SKU x region series: columns sku, region, month."""
    if sales.empty:
        return pd.DataFrame(columns=[schema.SKU, schema.REGION, schema.MONTH])
    span = sales.groupby([schema.SKU, schema.REGION])[schema.MONTH].agg(["min", "max", "count"])
    months = (span["max"].dt.year - span["min"].dt.year) * 12 + (
        span["max"].dt.month - span["min"].dt.month) + 1
    holed = span[months > span["count"]]
    out = []
    for (sku, region), r in holed.iterrows():
        have = set(sales.loc[(sales[schema.SKU] == sku) & (sales[schema.REGION] == region), schema.MONTH])
        for m in pd.date_range(r["min"], r["max"], freq="MS"):
            if m not in have:
                out.append((sku, region, m))
    return pd.DataFrame(out, columns=[schema.SKU, schema.REGION, schema.MONTH])


def _cross_rules(tables: dict[str, pd.DataFrame], files: dict[str, str], run: _Run) -> None:
    T = schema.TABLES
    get = tables.get
    if (p := get(schema.PRODUCTS)) is not None:
        _ordered(T[schema.PRODUCTS], p, files[schema.PRODUCTS], run, schema.LAUNCH_MONTH, schema.PHASE_OUT_MONTH)
        run.rows("Margins are positive", T[schema.PRODUCTS], p, files[schema.PRODUCTS],
                 p[schema.MATERIAL_COST] >= p[schema.LIST_PRICE], schema.MATERIAL_COST,
                 "cost as much as or more than their list price",
                 "Check price and cost: these SKUs lose money on every unit.", WARNING)
    if (c := get(schema.COMPANY)) is not None and len(c) > 1:
        run.flag("Company has one row", schema.COMPANY, ERROR,
                 f"{files[schema.COMPANY]}: {len(c)} rows; the company table has one row.",
                 len(c), files[schema.COMPANY])
    if (pr := get(schema.PROMOTIONS)) is not None:
        _one_of_sku_family(T[schema.PROMOTIONS], pr, files[schema.PROMOTIONS], run)
        _ordered(T[schema.PROMOTIONS], pr, files[schema.PROMOTIONS], run, schema.START_MONTH, schema.END_MONTH)
        as_of = as_of_month(tables)
        if as_of is not None:
            run.ran("Yearly promotions continue", schema.PROMOTIONS)
            gone = missing_recurring_promotions(pr, as_of)
            if len(gone):
                quoted = "; ".join(f"{g.key} ({g.region}) in {g.month:%b %Y}"
                                   + (f", like '{g.last}'" if g.last else "")
                                   for g in gone.head(SHOWN).itertuples())
                more = f" and {len(gone) - SHOWN} more" if len(gone) > SHOWN else ""
                run.flag("Yearly promotions continue", schema.PROMOTIONS, WARNING,
                         f"{files[schema.PROMOTIONS]}: {len(gone)} yearly promotion(s) ran in each "
                         f"of the last two years but are not planned again: {quoted}{more}. "
                         "The forecast expects no promotion uplift in those months; add them "
                         "to promotions if they will run.", len(gone), files[schema.PROMOTIONS],
                         schema.START_MONTH, gone.head(MAX_EXAMPLES))
    if (b := get(schema.BILL_OF_RESOURCES)) is not None:
        _one_of_sku_family(T[schema.BILL_OF_RESOURCES], b, files[schema.BILL_OF_RESOURCES], run)
    if (so := get(schema.SUPPLY_OPTIONS)) is not None:
        _ordered(T[schema.SUPPLY_OPTIONS], so, files[schema.SUPPLY_OPTIONS], run, schema.START_MONTH,
                 schema.END_MONTH)
        run.rows("Subcontract options have a price", T[schema.SUPPLY_OPTIONS], so,
                 files[schema.SUPPLY_OPTIONS], (so[schema.OPTION_TYPE] == schema.OPTION_SUBCONTRACT)
                 & so[schema.COST_PER_UNIT].isna(), schema.COST_PER_UNIT, "are subcontract options "
                 "without a cost per unit", "Give the price of a subcontracted unit.")
    if (r := get(schema.RESOURCES)) is not None:
        _resource_rules(tables, files, r, run)
    as_of = as_of_month(tables)
    if (s := get(schema.SALES)) is not None and as_of is not None:
        _sales_rules(tables, files, s, as_of, run)
    if (p := get(schema.PRODUCTS)) is not None and as_of is not None:
        start = as_of + pd.offsets.MonthBegin(1)
        active = set(active_skus(p, start))
        if (b := get(schema.BILL_OF_RESOURCES)) is not None:
            fams = set(b[schema.FAMILY].dropna())
            routed = p[schema.SKU].isin(set(b[schema.SKU].dropna())) | p[schema.FAMILY].isin(fams)
            run.rows("Every SKU has a routing", T[schema.PRODUCTS], p, files[schema.PRODUCTS],
                     p[schema.SKU].isin(active) & ~routed, schema.SKU, "have no routing in "
                     "bill_of_resources", "Add hours per unit for these SKUs (or their "
                     "family); until then they are planned as if capacity were unlimited.",
                     WARNING)
        if (inv := get(schema.INVENTORY)) is not None:
            run.rows("Every SKU has an inventory row", T[schema.PRODUCTS], p, files[schema.PRODUCTS],
                     p[schema.SKU].isin(active) & ~p[schema.SKU].isin(set(inv[schema.SKU])), schema.SKU,
                     "have no row in inventory", "They start the plan with 0 on hand and "
                     "no safety stock; add rows to inventory if that is wrong.", WARNING)
    if (bud := get(schema.BUDGET)) is not None and as_of is not None:
        run.ran("Budget covers the plan", schema.BUDGET)
        if not (bud[schema.MONTH] > as_of).any():
            run.flag("Budget covers the plan", schema.BUDGET, WARNING,
                     f"{files[schema.BUDGET]}: no budget months after the as-of month "
                     f"{as_of:%Y-%m}; plan-vs-budget comparisons will be empty. Add the "
                     "budget of the coming months.", 1, files[schema.BUDGET], schema.MONTH)


def missing_recurring_promotions(promos: pd.DataFrame, as_of: pd.Timestamp,
                                 months_ahead: int = PROMO_LOOKAHEAD) -> pd.DataFrame:
    """Yearly events that stop: a promotion of the same family/SKU and region ran in the
    same calendar month in each of the last two years up to `as_of`, but none is
    planned for that month within `months_ahead`. Columns: key, region, month (the
    future month without it), last (description of the latest one)."""
    p = promos.dropna(subset=[schema.START_MONTH, schema.END_MONTH])
    key = p[schema.SKU].fillna(p[schema.FAMILY]).astype(str)
    region = p[schema.REGION].fillna("all regions").astype(str)
    covered: dict[tuple[str, str], set[pd.Timestamp]] = {}
    last: dict[tuple[str, str, int], str] = {}
    for k, r, (_, row) in zip(key, region, p.iterrows()):
        months = pd.date_range(row[schema.START_MONTH], row[schema.END_MONTH], freq="MS")
        covered.setdefault((k, r), set()).update(months)
        for m in months:
            if m <= as_of:
                last[(k, r, m.month)] = str(row[schema.DESCRIPTION] or row[schema.PROMO_ID])
    ahead = pd.date_range(as_of + pd.offsets.MonthBegin(1), periods=months_ahead, freq="MS")
    out = []
    for (k, r), have in covered.items():
        for m in ahead:
            past = [m - pd.DateOffset(years=y) for y in (1, 2, 3)]
            recent = [x for x in past if x <= as_of][:2]
            if len(recent) == 2 and all(x in have for x in recent) and m not in have:
                out.append((k, r, m, last.get((k, r, m.month), "")))
    return pd.DataFrame(out, columns=["key", schema.REGION, schema.MONTH, "last"])


def _resource_rules(tables: dict[str, pd.DataFrame], files: dict[str, str],
                    r: pd.DataFrame, run: _Run) -> None:
    T = schema.TABLES
    f = files[schema.RESOURCES]
    run.rows("Overtime costs more than regular time", T[schema.RESOURCES], r, f,
             r[schema.OVERTIME_COST_PER_HOUR] < r[schema.REGULAR_COST_PER_HOUR],
             schema.OVERTIME_COST_PER_HOUR, "make overtime cheaper than a regular hour",
             "Check the two hourly costs; the plan will prefer overtime otherwise.", WARNING)
    kind = dict(zip(r[schema.RESOURCE], r[schema.KIND]))
    cap, wf = tables.get(schema.CAPACITY), tables.get(schema.WORKFORCE)
    if cap is not None:
        run.rows("Capacity rows are for lines", T[schema.CAPACITY], cap, files[schema.CAPACITY],
                 cap[schema.RESOURCE].map(kind).eq(schema.KIND_LABOUR), schema.RESOURCE, "give a calendar "
                 "to a labour pool", "Labour hours come from the workforce table: move "
                 "them there, or make the resource a `line`.")
    if wf is not None:
        run.rows("Workforce rows are for labour pools", T[schema.WORKFORCE], wf,
                 files[schema.WORKFORCE], wf[schema.RESOURCE].map(kind).eq(schema.KIND_LINE), schema.RESOURCE,
                 "are lines, not labour pools", "Set the resource's kind to `labour`, or "
                 "give the line a capacity calendar instead.")
    lines = r[schema.KIND] == schema.KIND_LINE
    no_cal = lines & ~r[schema.RESOURCE].isin(set(cap[schema.RESOURCE]) if cap is not None else set())
    run.rows("Every resource has hours", T[schema.RESOURCES], r, f, no_cal, schema.RESOURCE,
             "are lines without a capacity calendar", "Add their months to capacity.")
    labour = r[schema.KIND] == schema.KIND_LABOUR
    no_wf = labour & ~r[schema.RESOURCE].isin(set(wf[schema.RESOURCE]) if wf is not None else set())
    run.rows("Every resource has hours", T[schema.RESOURCES], r, f, no_wf, schema.RESOURCE,
             "are labour pools without a workforce row", "Add their headcount and hours "
             "per worker to workforce.")
    as_of = as_of_month(tables)
    if cap is None or as_of is None:
        return
    run.ran("Capacity covers the plan horizon", schema.CAPACITY)
    need = pd.date_range(as_of + pd.offsets.MonthBegin(1), periods=PLAN_MONTHS_REQUIRED,
                         freq="MS")
    for res in r.loc[lines, schema.RESOURCE]:
        have = set(cap.loc[cap[schema.RESOURCE] == res, schema.MONTH])
        gone = [m for m in need if m not in have]
        if gone and res in set(cap[schema.RESOURCE]):
            run.flag("Capacity covers the plan horizon", schema.CAPACITY, ERROR,
                     f"{files[schema.CAPACITY]}: line {res} has no capacity for "
                     f"{len(gone)} of the {PLAN_MONTHS_REQUIRED} months after {as_of:%Y-%m}"
                     f" ({', '.join(m.strftime('%Y-%m') for m in gone[:6])}"
                     f"{' ...' if len(gone) > 6 else ''}). Add those months (0 working "
                     "days for a shutdown).", len(gone), files[schema.CAPACITY], schema.MONTH)


def _sales_rules(tables: dict[str, pd.DataFrame], files: dict[str, str], s: pd.DataFrame,
                 as_of: pd.Timestamp, run: _Run) -> None:
    T, f = schema.TABLES, files[schema.SALES]
    run.rows("Actuals end at the as-of month", T[schema.SALES], s, f, s[schema.MONTH] > as_of, schema.MONTH,
             f"are after the as-of month {as_of:%Y-%m}", "Remove them, or move the "
             "company's as_of_month forward.")
    gaps = series_gaps(s)
    run.ran("History has no gaps", schema.SALES)
    if len(gaps):
        series = gaps.groupby([schema.SKU, schema.REGION])[schema.MONTH].agg(["count", "min", "max"])
        quoted = "; ".join(f"{sku}/{reg}: {r['count']} month{'s' * (r['count'] > 1)} "
                           f"({r['min']:%Y-%m}..{r['max']:%Y-%m})"
                           for (sku, reg), r in series.head(SHOWN).iterrows())
        more = f" and {len(series) - SHOWN} more series" if len(series) > SHOWN else ""
        ex = gaps.head(MAX_EXAMPLES).copy()
        run.flag("History has no gaps", schema.SALES, WARNING,
                 f"{f}: {len(gaps)} month{'s' * (len(gaps) > 1)} missing inside "
                 f"{len(series)} series: {quoted}{more}. They are treated as missing data, "
                 "not zero demand; if there were truly no orders, add rows with units 0.",
                 len(gaps), f, schema.MONTH, ex)
    p = tables.get(schema.PRODUCTS)
    if p is not None:
        life = s.merge(p[[schema.SKU, schema.LAUNCH_MONTH, schema.PHASE_OUT_MONTH]].drop_duplicates(schema.SKU),
                       on=schema.SKU, how="left")
        out = ((life[schema.LAUNCH_MONTH].notna() & (life[schema.MONTH] < life[schema.LAUNCH_MONTH]))
               | (life[schema.PHASE_OUT_MONTH].notna() & (life[schema.MONTH] > life[schema.PHASE_OUT_MONTH]))
               ) & (life[schema.UNITS] > 0)
        run.rows("Sales fall inside the product lifecycle", T[schema.SALES], s, f,
                 pd.Series(out.to_numpy(), index=s.index), schema.MONTH, "sell a SKU before its "
                 "launch or after its phase-out", "Check the SKU's launch_month and "
                 "phase_out_month in products.", WARNING)


def _check_raw(raw: dict[str, RawTable], run: _Run) -> tuple[dict[str, pd.DataFrame],
                                                              dict[str, str]]:
    typed: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    for name in schema.TABLE_ORDER:
        if name not in raw:
            continue
        t, r = schema.TABLES[name], raw[name]
        files[name] = r.file
        df, missing = _normalise_headers(r, t, run)
        if df is None:
            continue
        run.ran("Table is not empty", name)
        if df.empty:
            if t.required:
                run.flag("Table is not empty", name, ERROR,
                         f"{r.file}: the file has a header but no rows. The `{name}` table "
                         "is required: export it again with its data.", 1, r.file)
            continue
        df = _type_columns(r, t, df, run, tuple(missing))
        if missing:      # the values are checked; the table cannot take part further
            continue
        _keys(t, df, r.file, run)
        typed[name] = df
    return typed, files


def _roll_as_of(typed: dict[str, pd.DataFrame], run: _Run) -> None:
    """New sales uploaded over a kept company table: move the as-of month forward to the
    last month of the new actuals (a monthly refresh is just sales.csv)."""
    company, sales = typed.get(schema.COMPANY), typed.get(schema.SALES)
    if company is None or sales is None or company.empty or sales[schema.MONTH].dropna().empty:
        return
    old, new = company[schema.AS_OF_MONTH].iloc[0], sales[schema.MONTH].max()
    if pd.notna(old) and new > old:
        typed[schema.COMPANY] = company.assign(**{schema.AS_OF_MONTH: new})
        run.flag("As-of month follows the actuals", schema.COMPANY, WARNING,
                 f"The uploaded sales run to {new:%Y-%m}: the as-of month moves from "
                 f"{old:%Y-%m} to {new:%Y-%m} (the company table was kept from the current "
                 "dataset). The plan now starts the month after.", 1, None, schema.AS_OF_MONTH)


def _finish(raw: dict[str, RawTable], run: _Run, roll_as_of: bool = False) -> Report:
    typed, files = _check_raw(raw, run)
    if roll_as_of:
        _roll_as_of(typed, run)
    _foreign_keys(typed, files, run)
    _cross_rules(typed, files, run)
    clean = {n: df.drop(columns=[ROW]) for n, df in typed.items()}
    return Report(clean, run.findings, run.checks)


def validate_files(files: dict[str, bytes], base: dict[str, pd.DataFrame] | None = None
                   ) -> Report:
    """Validate uploaded files; tables not uploaded are taken from `base` when given."""
    raw, found = read_files(files)
    run = _Run()
    run.findings.extend(f for f in found if not (base and f.table in base
                                                 and f.check == "Required files are present"))
    uploaded = set(raw)
    for name, df in (base or {}).items():
        if name not in raw and not any(f.table == name and f.file for f in found):
            raw[name] = RawTable(name, f"{name} (current dataset)", df)
    return _finish(raw, run, roll_as_of=schema.SALES in uploaded and schema.COMPANY not in uploaded)


def validate_dir(path: str | Path) -> Report:
    """Read and validate every table file in a folder."""
    raw, found = read_dir(path)
    run = _Run()
    run.findings.extend(found)
    return _finish(raw, run)


def check_tables(tables: dict[str, pd.DataFrame]) -> Report:
    """Re-run every check on typed tables (e.g. the active dataset in the store)."""
    raw = {n: RawTable(n, f"{n} table", df) for n, df in tables.items()}
    return _finish(raw, _Run())
