"""Rough-cut capacity: the hours a demand plan needs against the hours there are.

Pure functions over the data-model tables (`sop.schema`):

- `hours_per_unit`: the bill of resources resolved to SKU level (a SKU row
  overrides its family's row for that resource);
- `resource_hours`: regular and overtime hours available per resource and month
  (lines from the capacity calendar, labour pools from the workforce table);
- `rough_cut`: load (demand x hours per unit) against available hours, with the
  utilisation and the months and resources where load exceeds capacity;
- `utilisation` and `line_utilisation`: load / regular hours, the one definition
  that the rough-cut, the supply plan's resource use and the KPIs share (a line's
  average over its open months: a shut month has no hours to use).
"""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd

from sop.core import schema
from sop.core.tables import TABLES

LOAD_HOURS = "load_hours"
OVERTIME_HOURS = "overtime_hours"  # most overtime hours available
UTILISATION = "utilisation"  # load / regular hours
OVERLOADED = "overloaded"  # load above regular hours
ESTIMATED = "estimated"  # month missing from the calendar, carried over
UNROUTED = "unrouted"  # plant label of SKUs with no routing
RESOURCE_COLUMNS = [
    schema.RESOURCE,
    schema.PLANT,
    schema.NAME,
    schema.KIND,
    schema.REGULAR_COST_PER_HOUR,
    schema.OVERTIME_COST_PER_HOUR,
]


_HPU_MEMO: dict[tuple[int, int], pd.DataFrame] = {}


def _content_key(df: pd.DataFrame) -> int:
    return int(pd.util.hash_pandas_object(df, index=False).sum()) ^ hash(tuple(df.columns))


def hours_per_unit(products: pd.DataFrame, bor: pd.DataFrame) -> pd.DataFrame:
    """Hours each SKU needs on each resource. Columns: sku, resource, hours_per_unit.

    Family rows apply to every SKU of the family; a SKU row replaces its family's
    row for that resource (and adds the resource when the family has no row).
    Remembered by content (a scenario re-plans the same routing on every slider
    move); a fresh copy is returned each time.
    """
    key = (_content_key(products[[schema.SKU, schema.FAMILY]]), _content_key(bor))
    if key not in _HPU_MEMO:
        if len(_HPU_MEMO) > 32:
            _HPU_MEMO.clear()
        _HPU_MEMO[key] = _hours_per_unit(products, bor)
    return _HPU_MEMO[key].copy()


def _hours_per_unit(products: pd.DataFrame, bor: pd.DataFrame) -> pd.DataFrame:
    fam_rows = bor[bor[schema.SKU].isna() & bor[schema.FAMILY].notna()]
    sku_rows = bor[bor[schema.SKU].notna()]
    by_family = products[[schema.SKU, schema.FAMILY]].merge(
        fam_rows[[schema.FAMILY, schema.RESOURCE, schema.HOURS_PER_UNIT]], on=schema.FAMILY
    )
    out = pd.concat(
        [
            by_family[[schema.SKU, schema.RESOURCE, schema.HOURS_PER_UNIT]],
            sku_rows[[schema.SKU, schema.RESOURCE, schema.HOURS_PER_UNIT]],
        ],
        ignore_index=True,
    )
    out = out.drop_duplicates([schema.SKU, schema.RESOURCE], keep="last")
    out[schema.HOURS_PER_UNIT] = out[schema.HOURS_PER_UNIT].astype(float)
    return out.sort_values([schema.SKU, schema.RESOURCE]).reset_index(drop=True)


def sku_plants(hpu: pd.DataFrame, resources: pd.DataFrame) -> pd.Series:
    """SKU -> the plant(s) of the resources it routes through ("A + B" when several)."""
    plant = hpu[schema.RESOURCE].map(dict(zip(resources[schema.RESOURCE], resources[schema.PLANT])))
    pairs = (
        pd.DataFrame({schema.SKU: hpu[schema.SKU], schema.PLANT: plant}).dropna().drop_duplicates()
    )
    several = pairs[schema.SKU].duplicated(keep=False)
    out = pairs[~several].set_index(schema.SKU)[schema.PLANT]
    if several.any():
        joined = (
            pairs[several]
            .sort_values(schema.PLANT)
            .groupby(schema.SKU)[schema.PLANT]
            .agg(" + ".join)
        )
        out = pd.concat([out, joined])
    return out


def calendar_hours(cap: pd.DataFrame) -> pd.Series:
    """Regular hours of each capacity-calendar row: available_hours where given, else
    working_days x shifts x hours_per_shift x efficiency."""
    computed = (
        cap[schema.WORKING_DAYS]
        * cap[schema.SHIFTS]
        * cap[schema.HOURS_PER_SHIFT]
        * cap[schema.EFFICIENCY]
    ).astype(float)
    given = cap[schema.AVAILABLE_HOURS].astype(float)
    return given.where(given.notna(), computed)


_HOURS_SEEN: list[tuple[tuple, pd.DataFrame]] = []  # (fingerprint of what was read, result)
_HOURS_LOCK = threading.Lock()
_HOURS_KEEP = 8


def _fingerprint(frame: pd.DataFrame | None) -> tuple:
    """What a frame holds, in a few numbers (these tables are small: resources, the
    capacity calendar, labour pools), so a frame changed in place is never mistaken
    for the one remembered."""
    if frame is None:
        return ()
    cells = pd.util.hash_pandas_object(frame, index=True).to_numpy()
    return (tuple(map(str, frame.columns)), frame.shape, int(cells.sum()), int(cells[::7].sum()))


def resource_hours(tables: dict[str, pd.DataFrame], months: pd.DatetimeIndex) -> pd.DataFrame:
    """`_resource_hours`, remembered for the last few inputs (the resources, capacity
    and workforce tables by content, and the months): a scenario's levers leave these
    tables as they are unless a capacity lever moves, so the goal solver's price search
    and a meeting's slider moves read them once. A copy is returned."""
    key = (
        tuple(
            _fingerprint(tables.get(k))
            for k in (schema.RESOURCES, schema.CAPACITY, schema.WORKFORCE)
        ),
        tuple(months),
    )
    with _HOURS_LOCK:
        for seen, out in _HOURS_SEEN:
            if seen == key:
                return out.copy()
    out = _resource_hours(tables, months)
    with _HOURS_LOCK:
        _HOURS_SEEN.insert(0, (key, out))
        del _HOURS_SEEN[_HOURS_KEEP:]
    return out.copy()


def _resource_hours(tables: dict[str, pd.DataFrame], months: pd.DatetimeIndex) -> pd.DataFrame:
    """Hours available per resource and month, at today's headcount.

    Columns: resource, plant, name, kind, regular_cost_per_hour,
    overtime_cost_per_hour, month, available_hours (regular), overtime_hours
    (most overtime; 0 for a line in a month it has no regular hours: a shutdown),
    estimated (True where a line's calendar lacks the month and
    the nearest month's hours were carried over). Lines take their hours from the
    capacity calendar; labour pools have workers x hours_per_worker regular hours
    and workers x max_overtime_per_worker overtime hours.
    """
    res = tables[schema.RESOURCES]
    grid = res[RESOURCE_COLUMNS + [schema.MAX_OVERTIME_HOURS]].merge(
        pd.DataFrame({schema.MONTH: months}), how="cross"
    )
    cap = tables.get(schema.CAPACITY)
    if cap is not None and len(cap):
        cal = cap[[schema.RESOURCE, schema.MONTH]].assign(_h=calendar_hours(cap).to_numpy())
        grid = grid.merge(cal, on=[schema.RESOURCE, schema.MONTH], how="left")
    else:
        grid["_h"] = np.nan
    line = (grid[schema.KIND] == schema.KIND_LINE).to_numpy()
    grid[ESTIMATED] = line & grid["_h"].isna().to_numpy()
    if grid[ESTIMATED].any() and cap is not None and len(cap):
        # carry the nearest month of the same line's calendar
        ns = {schema.MONTH: "datetime64[ns]", schema.RESOURCE: object}
        miss = grid.loc[grid[ESTIMATED], [schema.RESOURCE, schema.MONTH]].reset_index().astype(ns)
        known = cal.dropna().astype(ns).sort_values(schema.MONTH)
        near = pd.merge_asof(
            miss.sort_values(schema.MONTH),
            known,
            on=schema.MONTH,
            by=schema.RESOURCE,
            direction="nearest",
        )
        grid.loc[near["index"].to_numpy(), "_h"] = near["_h"].to_numpy()
    wf = tables.get(schema.WORKFORCE)
    wf = wf if wf is not None else pd.DataFrame(columns=TABLES[schema.WORKFORCE].column_names)
    w = grid[[schema.RESOURCE]].merge(wf, on=schema.RESOURCE, how="left")
    workers = w[schema.WORKERS].to_numpy(dtype=float, na_value=0.0)
    regular = np.where(
        line,
        grid["_h"].to_numpy(dtype=float, na_value=0.0),
        workers * w[schema.HOURS_PER_WORKER].to_numpy(dtype=float, na_value=0.0),
    )
    overtime = np.where(
        line,
        grid[schema.MAX_OVERTIME_HOURS].to_numpy(dtype=float, na_value=0.0),
        workers * w[schema.MAX_OVERTIME_PER_WORKER].to_numpy(dtype=float, na_value=0.0),
    )
    # a line that does not run in a month (a shutdown) works no overtime either
    overtime = np.where(line & ~(np.nan_to_num(regular) > 0), 0.0, overtime)
    out = grid[RESOURCE_COLUMNS + [schema.MONTH]].assign(
        **{
            schema.AVAILABLE_HOURS: np.nan_to_num(regular),
            OVERTIME_HOURS: np.nan_to_num(overtime),
            ESTIMATED: grid[ESTIMATED].to_numpy(),
        }
    )
    return out.sort_values([schema.RESOURCE, schema.MONTH]).reset_index(drop=True)


def rough_cut(demand: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Load of a demand plan on every resource and month against its hours.

    `demand` has month, sku, units (a `sop.demand` plan). Returns one row per
    resource and plan month. Columns: resource, plant, month, load_hours,
    available_hours (regular), utilisation (load / available; inf when there
    are no hours but some load), then name, kind, overtime_hours (most
    overtime), overloaded (load above regular hours), beyond_overtime (load
    above regular + overtime hours), estimated.
    """
    months = pd.DatetimeIndex(sorted(demand[schema.MONTH].unique()))
    hours = resource_hours(tables, months)
    hpu = hours_per_unit(tables[schema.PRODUCTS], tables[schema.BILL_OF_RESOURCES])
    by_sku = demand.groupby([schema.MONTH, schema.SKU], as_index=False)[schema.UNITS].sum()
    load = by_sku.merge(hpu, on=schema.SKU)
    load[LOAD_HOURS] = load[schema.UNITS].astype(float) * load[schema.HOURS_PER_UNIT]
    load = load.groupby([schema.RESOURCE, schema.MONTH], as_index=False)[LOAD_HOURS].sum()
    out = hours.merge(load, on=[schema.RESOURCE, schema.MONTH], how="left")
    out[LOAD_HOURS] = out[LOAD_HOURS].fillna(0.0)
    avail = out[schema.AVAILABLE_HOURS].to_numpy(dtype=float)
    lh = out[LOAD_HOURS].to_numpy(dtype=float)
    out[UTILISATION] = utilisation(lh, avail)
    out[OVERLOADED] = lh > avail + 1e-9
    out["beyond_overtime"] = lh > avail + out[OVERTIME_HOURS].to_numpy(dtype=float) + 1e-9
    cols = [
        schema.RESOURCE,
        schema.PLANT,
        schema.MONTH,
        LOAD_HOURS,
        schema.AVAILABLE_HOURS,
        UTILISATION,
        schema.NAME,
        schema.KIND,
        OVERTIME_HOURS,
        OVERLOADED,
        "beyond_overtime",
        ESTIMATED,
    ]
    return (
        out[cols].sort_values([schema.PLANT, schema.RESOURCE, schema.MONTH]).reset_index(drop=True)
    )


def utilisation(load: np.ndarray, available: np.ndarray) -> np.ndarray:
    """Load / regular hours, element by element: inf where there is load but no hours,
    0 where there is neither (a line shut down and idle)."""
    load, available = np.asarray(load, dtype=float), np.asarray(available, dtype=float)
    has_hours = available > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(
            has_hours,
            load / np.where(has_hours, available, 1.0),
            np.where(load > 1e-9, np.inf, 0.0),
        )


def line_utilisation(use: pd.DataFrame) -> pd.DataFrame:
    """Per line over the months of `use` (a rough-cut or a plan's resource use: resource,
    plant, name, kind, load_hours, available_hours, utilisation).

    Columns: resource, plant, name, load_hours, available_hours (summed), avg (load /
    regular hours over the open months, those with regular hours: a shut month, no
    hours, is left out, as is a rough-cut's load in it; 0 for a line shut down all
    along and idle, NaN for one with load but no hours), peak (the highest month; months
    with load but no hours left out, NaN when every month is such), open_months (months
    with regular hours) and shut_months (months without: a shutdown).
    """
    lines = use[use[schema.KIND] == schema.KIND_LINE]
    month = lines[UTILISATION].replace(np.inf, np.nan)
    is_open = lines[schema.AVAILABLE_HOURS].to_numpy(dtype=float) > 0
    g = (
        lines.assign(
            _u=month,
            _open_load=np.where(is_open, lines[LOAD_HOURS].to_numpy(dtype=float), 0.0),
            _open=is_open.astype(int),
            _shut=(~is_open).astype(int),
        )
        .groupby([schema.RESOURCE, schema.PLANT, schema.NAME], as_index=False)
        .agg(
            **{
                LOAD_HOURS: (LOAD_HOURS, "sum"),
                schema.AVAILABLE_HOURS: (schema.AVAILABLE_HOURS, "sum"),
                "peak": ("_u", "max"),
                "_open_load": ("_open_load", "sum"),
                "open_months": ("_open", "sum"),
                "shut_months": ("_shut", "sum"),
            }
        )
    )
    load, avail = g[LOAD_HOURS].to_numpy(dtype=float), g[schema.AVAILABLE_HOURS].to_numpy(float)
    open_load = g["_open_load"].to_numpy(dtype=float)
    g["avg"] = np.where((avail <= 0) & (load > 0), np.nan, utilisation(open_load, avail))
    cols = [schema.RESOURCE, schema.PLANT, schema.NAME, LOAD_HOURS, schema.AVAILABLE_HOURS]
    return g[cols + ["avg", "peak", "open_months", "shut_months"]]
