"""The consensus demand plan as a service over the store: forecast runs, overrides,
snapshots. Reads stored results only; the one function that fits is `run_and_store`.

`demand_plan` is the public entry point; pages go through `sop.ui`. The writes check
the acting person's role before any work (`access.FORECAST` to fit and store a run,
`access.OVERRIDE` to add or withdraw an override) and record them as the author.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sop.core import access, schema
from sop.core.months import as_of_month, next_month, plan_months
from sop.data.defaults import complete
from sop.demand import accuracy, stacking
from sop.demand import overrides as override_rules
from sop.demand.plan import (
    DEFAULT_HORIZON,
    PLAN_COLUMNS,
    SOURCE_LOADED,
    DemandNotReady,
    has_loaded_consensus,
    loaded_consensus,
)
from sop.store import DatasetInfo, Store, StoreError
from sop.store import forecasts as forecast_store
from sop.store import overrides as override_log

if TYPE_CHECKING:  # the annotation only; importing the engine costs ~1 s (run_and_store)
    from sop.demand.engine import ForecastSettings

HOW_TO_RUN = 'Run `python -m sop forecast` or press "Run forecast" on the Demand page.'


@dataclass(frozen=True)
class Context:
    """What a plan is built from: the dataset, its tables and the stored run (if any)."""

    info: DatasetInfo
    tables: dict[str, pd.DataFrame]
    run: forecast_store.RunInfo | None


def dataset(store: Store, version: int | None = None) -> DatasetInfo:
    """The dataset of `version` (default: the active one); StoreError if there is none."""
    if version is None:
        info = store.active()
        if info is None:
            raise StoreError(
                "No dataset is loaded yet. Run `python -m sop load DIR` or "
                "upload files on the Data page."
            )
        return info
    rows = store.datasets()
    row = rows[rows["version"] == version]
    if row.empty:
        raise StoreError(
            f"There is no dataset version {version}; kept versions: "
            f"{', '.join(map(str, rows['version'])) or 'none'}."
        )
    r = row.iloc[0]
    return DatasetInfo(
        int(r["version"]),
        r["name"],
        r["source"] or "",
        pd.Timestamp(r["loaded_at"]),
        pd.Timestamp(r["as_of"]) if pd.notna(r["as_of"]) else None,
        r["company"] or r["name"],
        r["currency"] or "EUR",
    )


def settings_key(settings: object | None) -> str | None:
    return None if settings is None else settings.key()


def settings_dict(settings: object) -> dict:
    return dataclasses.asdict(settings)


def context(
    store: Store,
    version: int | None = None,
    settings: object | None = None,
    tables: dict[str, pd.DataFrame] | None = None,
) -> Context:
    """The dataset, its tables and the stored run for `settings` (None: the newest run)."""
    info = dataset(store, version)
    return Context(
        info,
        tables if tables is not None else complete(store.tables(info.version)),
        forecast_store.find_run(store, info.version, settings_key(settings)),
    )


def not_ready(ctx: Context, settings: object | None) -> DemandNotReady:
    what = "" if settings is None else " with these settings"
    return DemandNotReady(
        f"No statistical forecast is stored for dataset `{ctx.info.name}` "
        f"(version {ctx.info.version}){what}. {HOW_TO_RUN}"
    )


def regions(tables: dict[str, pd.DataFrame]) -> list[str]:
    """The dataset's sales regions, sorted."""
    return sorted(tables[schema.SALES][schema.REGION].unique())


def overrides_in_force(store: Store, ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(active overrides of the context's company that apply to its dataset, orphaned
    ones: their family, SKU or region is not in it; with `overrides.WHY`). Another
    company's overrides are never among them."""
    active = override_log.active(store, ctx.info.company)
    return override_rules.split_orphans(active, ctx.tables[schema.PRODUCTS], regions(ctx.tables))


def consensus(store: Store, ctx: Context, overrides: pd.DataFrame | None = None) -> pd.DataFrame:
    """Forecast + active overrides per SKU x region x month (`overrides.apply_overrides`
    columns): the overrides in force for the context's company (`overrides_in_force`),
    or `overrides` when given.

    Raises DemandNotReady when `ctx` has no stored run.
    """
    if ctx.run is None:
        raise not_ready(ctx, None)
    active = overrides_in_force(store, ctx)[0] if overrides is None else overrides
    return override_rules.apply_overrides(
        forecast_store.values(store, ctx.run.run_id), ctx.tables[schema.PRODUCTS], active
    )


def _restrict(df: pd.DataFrame, as_of: pd.Timestamp, horizon: int | None) -> pd.DataFrame:
    if horizon is None:
        return df
    months = plan_months(as_of, horizon)
    have = df[schema.MONTH].nunique()
    if horizon > have and not df.empty and df[schema.MONTH].max() < months[-1]:
        raise DemandNotReady(
            f"The stored forecast covers {have} months; a {horizon}-month "
            f"plan needs a longer run: `python -m sop forecast --horizon "
            f"{horizon}`."
        )
    return df[df[schema.MONTH].isin(months)]


def plan_from(store: Store, ctx: Context, horizon: int | None = None) -> pd.DataFrame:
    """The demand plan (PLAN_COLUMNS) of a context; see `demand_plan`."""
    as_of = ctx.info.as_of
    if has_loaded_consensus(ctx.tables):
        plan = loaded_consensus(ctx.tables, plan_months(as_of, horizon or DEFAULT_HORIZON))
        if ctx.run is not None:
            plan = _with_forecast_band(plan, forecast_store.values(store, ctx.run.run_id))
        return plan
    plan = _restrict(consensus(store, ctx), as_of, horizon)
    return (
        plan[PLAN_COLUMNS]
        .sort_values([schema.MONTH, schema.SKU, schema.REGION])
        .reset_index(drop=True)
    )


def demand_plan(
    store: Store,
    version: int | None = None,
    horizon: int | None = None,
    settings: ForecastSettings | None = None,
    tables: dict[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """The consensus demand plan of a dataset version (default: the active one).
    `tables`: that version's completed tables when the caller holds them already (the
    app's shared copy), else they are read from the store.

    Columns `PLAN_COLUMNS`, one row per month x SKU x region, sorted by month,
    sku, region: units = consensus (statistical P50 + active overrides), p10/p90
    moved with it, forecast_units = statistical P50, source. When the dataset
    has a loaded `consensus` table, that plan is returned instead (source
    `loaded consensus`). `settings=None` takes the newest stored run of the
    version; `horizon=None` every month of that run (a loaded plan: 18 months).
    Reads stored results only, never fits. Raises `DemandNotReady` when no
    forecast is stored (and no consensus was loaded), `StoreError` when no
    dataset is loaded.
    """
    ctx = context(store, version, settings, tables)
    if ctx.run is None and not has_loaded_consensus(ctx.tables):
        raise not_ready(ctx, settings)
    return plan_from(store, ctx, horizon)


def _with_forecast_band(plan: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
    """A loaded plan with the statistical P50 as forecast_units and the forecast's
    P10/P90 band scaled to the loaded quantity (no forecast for a cell: p10=p90=units)."""
    keys = [schema.MONTH, schema.SKU, schema.REGION]
    m = plan.merge(
        values[keys + [schema.P10, schema.P50, schema.P90]].rename(
            columns={schema.P10: "_p10", schema.P50: "_p50", schema.P90: "_p90"}
        ),
        on=keys,
        how="left",
    )
    units = m[schema.UNITS].to_numpy(dtype=float)
    p50 = m["_p50"].to_numpy(dtype=float, na_value=np.nan)
    ok = np.isfinite(p50) & (p50 > 0)
    ratio = np.divide(units, p50, out=np.ones_like(units), where=ok)
    m[schema.FORECAST_UNITS] = np.where(np.isfinite(p50), p50, units)
    m[schema.P10] = np.where(ok, m["_p10"].to_numpy(dtype=float, na_value=np.nan) * ratio, units)
    m[schema.P90] = np.where(ok, m["_p90"].to_numpy(dtype=float, na_value=np.nan) * ratio, units)
    m[schema.SOURCE] = SOURCE_LOADED
    return m[PLAN_COLUMNS]


def page_consensus(store: Store, version: int, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """What the Demand page charts: the loaded plan when the dataset has one, else
    forecast + overrides (with band_group), else an empty frame."""
    ctx = context(store, version, tables=tables)
    if has_loaded_consensus(tables):
        return plan_from(store, ctx)
    return consensus(store, ctx) if ctx.run is not None else pd.DataFrame()


def accuracy_tables(
    store: Store, run_id: int, tables: dict[str, pd.DataFrame]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per-series, per-family) backtest accuracy of a stored run (`sop.demand.accuracy`)."""
    run = forecast_store.run_info(store, run_id)
    if run is None:
        raise StoreError(f"There is no stored forecast run {run_id}. {HOW_TO_RUN}")
    s = run.settings
    series = accuracy.series_table(
        forecast_store.frame(store, run_id, "selection"),
        forecast_store.frame(store, run_id, "backtest"),
    )
    window = s["backtest_horizon"] + max(0, s["backtest_origins"] - 1) * s["backtest_step"]
    weights = accuracy.backtest_weights(
        tables[schema.SALES], tables[schema.PRODUCTS], s["level"], as_of_month(tables), window
    )
    return series, accuracy.family_accuracy(series, weights)


def consensus_fva(
    store: Store, tables: dict[str, pd.DataFrame], company: str | None = None
) -> accuracy.ConsensusFVA:
    """FVA of `company`'s earlier cycles' consensus (None: the active dataset's) over
    their statistical forecast, measured against the actuals in `tables` (or why it is
    not measurable yet)."""
    as_of = as_of_month(tables)
    return accuracy.consensus_fva(
        forecast_store.snapshots(store, before=as_of, company=company),
        tables[schema.SALES],
        as_of,
    )


# --- forecast runs -------------------------------------------------------------
def run_and_store(
    store: Store,
    settings: object,
    version: int | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    executor: object | None = None,
) -> forecast_store.RunInfo:
    """Fit every series of a dataset version with the engine, store the run, snapshot
    the consensus of the cycle. The only function here that fits models. `executor`:
    where the series run (`sop.demand.executors`; default `workers` local processes)."""
    # Lazy: the engine pulls in statsmodels and scipy, ~1 s (0.4 s -> 1.5 s to import
    # this module) that every reader of a stored plan would otherwise pay.
    from sop.demand.engine import run_forecast

    access.require(store.actor, access.FORECAST)  # before minutes of fitting

    info = dataset(store, version)
    tables = complete(store.tables(info.version))
    t0 = time.perf_counter()
    result = run_forecast(tables, settings, workers=workers, progress=progress, executor=executor)
    seconds = time.perf_counter() - t0
    save_result(store, info, result, seconds)
    run = forecast_store.find_run(store, info.version, settings.key())
    snapshot(store, Context(info, tables, run), "forecast run", access.FORECAST)
    return run


def save_result(store: Store, info: DatasetInfo, result: object, seconds: float) -> int:
    """Store an engine ForecastResult (or anything with its attributes) for `info`."""
    frames = {
        "values": result.values,
        "fitted": result.fitted,
        "selection": result.selection,
        "backtest": result.backtest,
    }
    rec = getattr(result, "reconciliation", None)
    if rec is not None:  # how the levels were made to add up, and every level's figures
        frames["reconciliation"] = rec.summary()
        frames["levels"] = rec.levels
    return forecast_store.save_run(
        store,
        info.version,
        result.settings.key(),
        settings_dict(result.settings),
        frames,
        seconds,
        len(result.selection),
        info.as_of,
    )


def snapshot(store: Store, ctx: Context, reason: str, action: str) -> bool:
    """Save the cycle's consensus (keyed by as-of month) after `action` (a forecast run:
    `access.FORECAST`, an override change: `access.OVERRIDE`); False when there is none
    yet."""
    if ctx.info.as_of is None or (ctx.run is None and not has_loaded_consensus(ctx.tables)):
        return False
    plan = plan_from(store, ctx)
    forecast_store.save_snapshot(
        store,
        ctx.info.as_of,
        plan,
        ctx.info.version,
        ctx.run.run_id if ctx.run else None,
        reason,
        action,
    )
    return True


# --- overrides -------------------------------------------------------------------
def _stacked_totals(
    store: Store, ctx: Context, applied: pd.DataFrame, new: override_rules.Override
) -> dict[str, float]:
    """`stacking.totals` of `new` on top of `applied` ({} without a stored run)."""
    if ctx.run is None or has_loaded_consensus(ctx.tables):
        return {}
    row = {
        **override_rules.as_row(new),
        schema.AUTHOR: store.actor.signature,
        schema.OVERRIDE_ID: int(applied[schema.OVERRIDE_ID].max()) + 1,
        schema.CREATED_AT: pd.Timestamp.now(),
    }
    with_new = pd.concat([applied, pd.DataFrame([row])[schema.OVERRIDE_COLUMNS]], ignore_index=True)
    return stacking.totals(consensus(store, ctx, applied), consensus(store, ctx, with_new), new)


def submit_override(store: Store, ov: override_rules.Override, stack: bool = False) -> int:
    """Check `ov` against the active dataset, store it as made by the acting person,
    refresh the cycle's snapshot.

    Raises `overrides.OverrideRejected` (nothing stored) with every problem found, and
    `stacking.StackingNeedsConsent` (nothing stored) when `ov` would stack on an active
    override of the same selection over overlapping months, unless `stack` says the
    planner has seen the combined effect and wants it. AccessDenied (nothing stored)
    unless the acting person may add overrides.
    """
    access.require(store.actor, access.OVERRIDE)
    ctx = context(store)
    t = ctx.tables
    first = next_month(ctx.info.as_of) if ctx.info.as_of is not None else None
    problems = override_rules.check_override(ov, t[schema.PRODUCTS], regions(t), first)
    if problems:
        raise override_rules.OverrideRejected(problems)
    new = override_rules.normalise(ov, t[schema.PRODUCTS])
    if not stack:
        applied = overrides_in_force(store, ctx)[0]
        found = stacking.check(applied, new)
        if found is not None:
            raise stacking.StackingNeedsConsent(
                stacking.Stacking(
                    found.earlier, found.question, _stacked_totals(store, ctx, applied, new)
                )
            )
    oid = override_log.add(store, override_rules.as_row(new), ctx.info.version)
    snapshot(store, ctx, f"override #{oid}", access.OVERRIDE)
    return oid


def withdraw_override(store: Store, override_id: int, note: str = "") -> None:
    """Withdraw an override of the active dataset's company (a new event row by the
    acting person, `access.OVERRIDE`) and refresh the cycle's snapshot."""
    info = store.active()
    override_log.withdraw(store, override_id, note, info.company if info else None)
    if info is not None:
        snapshot(store, context(store), f"withdrew #{override_id}", access.OVERRIDE)
