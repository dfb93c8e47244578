"""The statistical forecast engine: one batch over every series, in worker processes
(this machine's, or a Dask cluster's: `sop.demand.executors`).

`run_forecast(tables, settings)` forecasts every series at the chosen level (SKU x
region by default), picking per series the best of Prophet variants and baselines by a
rolling-origin backtest (`sop.selection`), and returns a `ForecastResult` whose
`values` are always at SKU x region with P10/P50/P90. Coherent totals up the product
hierarchy come from `sop.hierarchy.aggregate`.

Rules of the data model this module applies:
- the forecast starts the month after `sop.core.months.as_of_month(tables)`;
- a month missing inside a series (no row, or NaN units) is missing data, not zero;
- a SKU forecasts 0 after its phase_out_month; a new product (no sales history, or
  launched within the last 12 months with under 12 months sold) gets no model but the
  family-profile forecast of `sop.demand.newproducts`, with method
  "new product (family profile)" and flag "new product" in `selection` (at levels
  sku_region and sku; at level family its sales are part of the family's);
- at level "sku" or "family" the forecast is split to SKU x region by each child's
  share of the last 12 months (shares of phased-out children move to the others), so
  the children add up exactly to the forecast made at that level.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields

import numpy as np
import pandas as pd

from sop.core import schema
from sop.core.months import as_of_month, plan_months
from sop.demand import reconcile, selection
from sop.demand.executors import Executor, LocalPool
from sop.demand.hierarchy import Z90
from sop.demand.models import ENSEMBLE, METHODS, resolve
from sop.demand.series import build_jobs, disaggregate

LEVELS = ("sku_region", "sku", "family")
MAX_HORIZON = 60
# regular series; short and intermittent ones have their own (sop.demand.selection).
# auto_arima is registered but not a default: 1-3 s per fit on long series (30x AutoETS);
# the fixed-order `airline` ARIMA costs about a third of AutoETS (docs/forecast-engine.md)
DEFAULT_CANDIDATES = ("auto_ets", "auto_theta", "seasonal naive", "prophet_mult", "airline")
# the references the hold-out test forces on every series (statsforecast's, same run)
BASELINES = ("seasonal naive", "auto_ets", "auto_arima")
SNAIVE = "seasonal naive"
CHUNK = 8  # series per task sent to a worker


@dataclass(frozen=True)
class ForecastSettings:
    """What to forecast and how; frozen, so it is a cache and storage key by value."""

    level: str = "sku_region"
    horizon: int = 18  # months after the as-of month
    backtest_origins: int = 3  # rolling cross-validation origins per series
    backtest_horizon: int = 12  # months forecast at each origin
    use_promotions: bool = True
    backtest_step: int = 6  # months between two origins
    candidates: tuple[str, ...] = DEFAULT_CANDIDATES  # for regular (non-short) series
    # a single method must beat the ensemble by this share (1: always the ensemble)
    selection_margin: float = 1.0
    ensemble_k: int = 4  # the ensemble is the mean of the top-k candidates by CV error
    reconcile: str = reconcile.MINT  # or reconcile.BOTTOM_UP (sop.demand.reconcile)

    @classmethod
    def from_dict(cls, data: Mapping) -> ForecastSettings:
        """The settings as stored with a run (`asdict`; unknown keys ignored)."""
        names = {f.name for f in fields(cls)}
        return cls(
            **{k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in names}
        )

    def key(self) -> str:
        """Stable short hash of every field (12 hex digits)."""
        blob = json.dumps(asdict(self), sort_keys=True, default=list)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]

    def check(self) -> None:
        """Raise ValueError with a planner-readable message when a field is invalid."""
        if self.level not in LEVELS:
            raise ValueError(
                f"forecast level `{self.level}` is unknown: use one of {', '.join(LEVELS)}"
            )
        if not 1 <= self.horizon <= MAX_HORIZON:
            raise ValueError(f"the horizon must be 1 to {MAX_HORIZON} months, not {self.horizon}")
        if self.backtest_origins < 0 or not 1 <= self.backtest_horizon <= MAX_HORIZON:
            raise ValueError(
                f"backtest origins must be >= 0 and the backtest horizon 1 to {MAX_HORIZON} months"
            )
        if not 0 <= self.selection_margin <= 1:
            raise ValueError("the selection margin must be between 0 and 1")
        if self.backtest_step < 1:
            raise ValueError("the backtest step must be at least 1 month")
        if self.reconcile not in reconcile.METHODS:
            raise ValueError(
                f"reconciliation `{self.reconcile}` is unknown: use one of "
                f"{', '.join(reconcile.METHODS)}"
            )
        if self.ensemble_k < 1:
            raise ValueError("the ensemble needs at least 1 member (1: no ensemble)")
        bad = [c for c in self.candidates if resolve(c) not in METHODS and resolve(c) != ENSEMBLE]
        if bad or not self.candidates:
            raise ValueError(f"unknown candidate method(s) {bad}: choose from {', '.join(METHODS)}")

    def config(self) -> selection.Config:
        """The per-series settings; retired candidate names map to their successors
        (`models.RETIRED`), and the ensemble is formed per series, not a candidate."""
        cands = dict.fromkeys(resolve(c) for c in self.candidates)
        cands.pop(ENSEMBLE, None)
        return selection.Config(
            tuple(cands) or DEFAULT_CANDIDATES,
            self.backtest_origins,
            self.backtest_horizon,
            self.backtest_step,
            self.use_promotions,
            margin=self.selection_margin,
            top_k=self.ensemble_k,
        )


@dataclass
class ForecastResult:
    """The outcome of one run.

    values:    sku, region, month, p10, p50, p90 (units/month, >= 0), band_group (the
               series whose error the row shares; see sop.hierarchy)
    fitted:    sku, region, month, fitted (in-sample fit of the chosen model, NaN where none)
    selection: one row per series at the chosen level: key columns (family, sku, region
               as applicable), method, flag, n_months, wape, mase, bias (backtest of the
               chosen method; NaN without a backtest) and snaive_wape
    backtest:  key columns, method, wape, mase, bias, mape (one row per series x candidate)
    reconciliation: how the levels were made coherent (method run, why bottom-up if it
               was not the request, every level's base and reconciled P50); the
               base forecasts of `selection`/`backtest` are before reconciliation
    """

    values: pd.DataFrame
    fitted: pd.DataFrame
    selection: pd.DataFrame
    backtest: pd.DataFrame
    settings: ForecastSettings
    reconciliation: reconcile.Reconciliation | None = None


def level_keys(level: str) -> list[str]:
    """Key columns of a series at `level` (family is added as a label)."""
    return {
        "sku_region": [schema.SKU, schema.REGION],
        "sku": [schema.SKU],
        "family": [schema.FAMILY],
    }[level]


def _run_chunk(jobs: list[selection.Job], cfg: selection.Config) -> list[selection.Outcome]:
    warnings.simplefilter("ignore")
    np.seterr(all="ignore")
    return [selection.forecast_series(j, cfg) for j in jobs]


def run_jobs(
    jobs: list[selection.Job],
    cfg: selection.Config,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    executor: Executor | None = None,
) -> list[selection.Outcome]:
    """Forecast every job in chunks of `CHUNK` on `executor` (default: `workers`
    processes of this machine, all cores when None), in job order; `cfg` is the
    executor's shared input, sent to each worker once where it can be."""
    total = len(jobs)
    chunks = [jobs[i : i + CHUNK] for i in range(0, total, CHUNK)]
    counted = [0]
    if progress:
        progress(0, total)

    def done(i: int) -> None:
        counted[0] += len(chunks[i])
        if progress:
            progress(counted[0], total)

    executor = executor if executor is not None else LocalPool(workers)
    out = executor.map_chunks(_run_chunk, chunks, cfg, done)
    return [o for part in out for o in part]


def _level_frames(
    jobs: list[selection.Job],
    outcomes: list[selection.Outcome],
    keys: list[str],
    plan: pd.DatetimeIndex,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Outcomes as two long frames (built from numpy, no per-series DataFrame):
    (*keys, month, p50, sigma) over the plan and (*keys, month, fitted) over history."""
    h = len(plan)
    lv = {k: np.repeat([o.key[i] for o in outcomes], h) for i, k in enumerate(keys)}
    lv[schema.MONTH] = np.tile(plan.to_numpy(), len(outcomes))
    lv[schema.P50] = np.concatenate([o.p50 for o in outcomes]) if outcomes else np.zeros(0)
    lv["sigma"] = np.concatenate([o.sigma for o in outcomes]) if outcomes else np.zeros(0)
    lens = [len(j.y) for j in jobs]
    lf = {k: np.repeat([o.key[i] for o in outcomes], lens) for i, k in enumerate(keys)}
    months = [np.datetime64(j.first_month, "M") + np.arange(len(j.y)) for j in jobs]
    lf[schema.MONTH] = (np.concatenate(months) if months else np.zeros(0, "datetime64[M]")).astype(
        "datetime64[us]"
    )
    lf["fitted"] = np.concatenate([o.fitted for o in outcomes]) if outcomes else np.zeros(0)
    return pd.DataFrame(lv), pd.DataFrame(lf)


def run_forecast(
    tables: dict[str, pd.DataFrame],
    settings: ForecastSettings = ForecastSettings(),
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    executor: Executor | None = None,
) -> ForecastResult:
    """Forecast every series of `tables` (see the module docstring and ForecastResult)
    on `executor` (default: `workers` processes here, `sop.demand.executors`).

    Everything that spans series (the as-of month, the family seasonal profiles, the
    new products' forecasts, promotions, the reconciliation tree) is computed here,
    once; each job carries only its own arrays, and a worker sees one job at a time.

    Raises ValueError with a readable message for invalid settings or a dataset
    without sales history.
    """
    settings.check()
    sales = tables.get(schema.SALES)
    if sales is None or sales.empty or sales[schema.UNITS].notna().sum() == 0:
        raise ValueError(
            "there is no sales history to forecast from: load a dataset "
            "with a sales table (month, sku, region, units)"
        )
    as_of = as_of_month(tables)
    plan = plan_months(as_of, settings.horizon)
    prep = build_jobs(tables, settings.level, as_of, settings.horizon, settings.use_promotions)
    mint = settings.reconcile == reconcile.MINT
    tree = reconcile.build_tree(prep.jobs, settings.level, prep.family, fit_upper=mint)
    base = run_jobs(prep.jobs + tree.jobs, settings.config(), workers, progress, executor)
    n = len(prep.jobs)
    outcomes, rec = reconcile.reconcile(tree, prep.jobs, base[:n], base[n:], settings.reconcile)
    keys = level_keys(settings.level)
    sel_rows, bt_rows = [], []
    for o in outcomes:
        kd = dict(zip(keys, o.key))
        chosen = o.backtest.get(o.method, (np.nan,) * 4)
        sel_rows.append(
            {
                **kd,
                "method": o.method,
                "flag": o.flag,
                "n_months": o.n_months,
                "wape": chosen[0],
                "mase": chosen[1],
                "bias": chosen[2],
                "snaive_wape": o.backtest.get(SNAIVE, (np.nan,) * 4)[0],
            }
        )
        for m, (w, ms, b, mp_) in o.backtest.items():
            bt_rows.append({**kd, "method": m, "wape": w, "mase": ms, "bias": b, "mape": mp_})
    selection_df = pd.DataFrame(
        sel_rows,
        columns=[*keys, "method", "flag", "n_months", "wape", "mase", "bias", "snaive_wape"],
    )
    selection_df = (
        pd.concat([selection_df, prep.extra], ignore_index=True)
        if len(prep.extra)
        else selection_df
    )
    fam = prep.family
    if schema.FAMILY not in keys:
        fam_col = selection_df[schema.SKU].map(fam)
        selection_df = selection_df.drop(columns=schema.FAMILY, errors="ignore")
        selection_df.insert(0, schema.FAMILY, fam_col)
    backtest_df = pd.DataFrame(bt_rows, columns=[*keys, "method", "wape", "mase", "bias", "mape"])
    lv, lf = _level_frames(prep.jobs, outcomes, keys, plan)
    values, fitted = disaggregate(lv, lf, prep, settings.level, plan)
    if len(prep.new):
        values = pd.concat([values, prep.new], ignore_index=True) if len(values) else prep.new
    values[schema.P10] = np.maximum(values[schema.P50] - Z90 * values["sigma"], 0.0)
    values[schema.P90] = values[schema.P50] + Z90 * values["sigma"]
    values = values[schema.FORECAST_VALUE_COLUMNS]
    values = values.sort_values([schema.SKU, schema.REGION, schema.MONTH], ignore_index=True)
    fitted = fitted.sort_values([schema.SKU, schema.REGION, schema.MONTH], ignore_index=True)
    rec = reconcile.coherent_levels(rec, values, prep.family)
    return ForecastResult(values, fitted, selection_df, backtest_df, settings, rec)
