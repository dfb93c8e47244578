"""Hold-out accuracy of the engine: the last H months of every series, forecast blind.

`holdout` cuts the last `horizon` months off each SKU x region series (one origin per
series, `CONVENTION`), builds the jobs from the training months only (so no held-out
value reaches any forecast through family profiles or promotion lift), forecasts the
held-out months with the engine's automatic choice ("auto") and with each baseline
forced on every series, and scores all of them with `sop.metrics` (MASE scaled by the
in-sample seasonal naive error, lag 12, of the training part). `to_json` adds one row
per series (`per_series`).
Used by `python -m sop backtest` (`sop.cli.backtest`) and bench/bench_forecast_accuracy.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from sop.core import schema
from sop.core.months import month_starts, months_between
from sop.demand import metrics
from sop.demand.engine import BASELINES, ForecastSettings, run_jobs
from sop.demand.executors import Executor, LocalPool
from sop.demand.hierarchy import Z90
from sop.demand.selection import Job
from sop.demand.series import build_jobs

AUTO = "auto"


@dataclass
class Holdout:
    """errors: one row per series x method x held-out month (series, sku, region,
    family, method, month_ahead, actual, forecast, p10, p90, scale); overall and by_family:
    `metrics.accuracy_table` rows plus fva (WAPE reduction over seasonal naive);
    chosen: sku, region, family, method (the automatic choice per series), flag."""

    errors: pd.DataFrame
    overall: pd.DataFrame
    by_family: pd.DataFrame
    chosen: pd.DataFrame
    horizon: int


def training_tables(
    tables: dict[str, pd.DataFrame], horizon: int
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """(the tables with each SKU x region series' last `horizon` months cut from sales,
    cuts: sku, region, cut (the first held-out month)).

    The last `horizon` calendar months up to a series' last observed month are held
    out; series with `horizon` or fewer observed months are left out entirely (too
    short to score), so no held-out value reaches the training data of any series.
    """
    sales = tables[schema.SALES]
    month = pd.Series(month_starts(sales[schema.MONTH]), index=sales.index)
    seen = pd.to_numeric(sales[schema.UNITS], errors="coerce").notna()
    keys = [sales[schema.SKU], sales[schema.REGION]]
    scored = seen.groupby(keys).transform("sum") > horizon
    last = month.where(seen).groupby(keys).transform("max")
    cut = (last.dt.to_period("M") - (horizon - 1)).dt.to_timestamp()
    train = {**tables, schema.SALES: sales[(scored & (month < cut)).to_numpy()]}
    cuts = pd.DataFrame(
        {schema.SKU: sales[schema.SKU], schema.REGION: sales[schema.REGION], "cut": cut}
    )[scored].drop_duplicates([schema.SKU, schema.REGION], ignore_index=True)
    return train, cuts


def _split(
    tables: dict[str, pd.DataFrame], as_of: pd.Timestamp, horizon: int, promotions: bool
) -> tuple[list[Job], list[np.ndarray], pd.Series]:
    """(training jobs built from the training tables only, held-out actuals, sku ->
    family). The actuals come from the full history; everything a forecast uses (the
    series, family seasonal profiles, promotion lift) from `training_tables`."""
    train_tables, cuts = training_tables(tables, horizon)
    full = {j.key: j for j in build_jobs(tables, "sku_region", as_of, horizon, promotions).jobs}
    if train_tables[schema.SALES].empty:
        return [], [], pd.Series(dtype=str)
    prep = build_jobs(train_tables, "sku_region", as_of, horizon, promotions)
    cut_of = dict(zip(zip(cuts[schema.SKU], cuts[schema.REGION]), cuts["cut"]))
    train, actual = [], []
    for j in prep.jobs:
        if j.key not in full or j.key not in cut_of:
            continue
        f = full[j.key]
        at = int(months_between(pd.Timestamp(f.first_month), [cut_of[j.key]])[0])
        lo = int(months_between(pd.Timestamp(f.first_month), [pd.Timestamp(j.first_month)])[0])
        n = at - lo  # months of the training job before the first held-out month
        if n < 1 or at + horizon > len(f.y):
            continue
        promo = None if j.promo is None else j.promo[: n + horizon]
        train.append(Job(j.key, j.y[:n], j.first_month, horizon, promo, j.profile, None))
        actual.append(f.y[at : at + horizon])
    return train, actual, prep.family


def holdout(
    tables: dict[str, pd.DataFrame],
    horizon: int,
    settings: ForecastSettings | None = None,
    baselines: tuple[str, ...] = BASELINES,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    executor: Executor | None = None,
) -> Holdout:
    """Score the automatic choice and each baseline on the last `horizon` months, on
    `executor` (default: `workers` processes here; one connection for all the runs)."""
    if horizon < 1:
        raise ValueError(f"the hold-out horizon must be at least 1 month, not {horizon}")
    sales = tables.get(schema.SALES)
    if sales is None or sales.empty:
        raise ValueError("there is no sales history to backtest")
    settings = settings or ForecastSettings(horizon=horizon)
    settings = replace(settings, level="sku_region", horizon=horizon)
    settings.check()
    as_of = pd.Timestamp(sales[schema.MONTH].max())
    train, actual, family = _split(tables, as_of, horizon, settings.use_promotions)
    if not train:
        raise ValueError(
            f"no series has more than {horizon} months of history; give a shorter --horizon"
        )
    runs = [(AUTO, settings.config())] + [
        (b, replace(settings.config(), force=b)) for b in baselines
    ]
    total = len(train) * len(runs)
    executor = executor if executor is not None else LocalPool(workers)
    with executor:
        outs_by_run = []
        for r, (_name, cfg) in enumerate(runs):

            def tick(done: int, _t: int, r: int = r) -> None:
                if progress:
                    progress(r * len(train) + done, total)

            outs_by_run.append(run_jobs(train, cfg, workers, tick, executor))
    rows = []
    chosen = []
    for (name, _cfg), outs in zip(runs, outs_by_run):
        for j, o, a in zip(train, outs, actual):
            sku, region = j.key
            fam = family.get(sku, "")
            scale = metrics.mase_scale(j.y[~np.isnan(j.y)])
            rows.append(
                pd.DataFrame(
                    {
                        "series": f"{sku}|{region}",
                        schema.SKU: sku,
                        schema.REGION: region,
                        schema.FAMILY: fam,
                        "method": name,
                        "month_ahead": np.arange(1, horizon + 1),
                        "actual": a,
                        "forecast": o.p50,
                        "p10": np.maximum(o.p50 - Z90 * o.sigma, 0),
                        "p90": o.p50 + Z90 * o.sigma,
                        "scale": scale,
                    }
                )
            )
            if name == AUTO:
                chosen.append(
                    {
                        schema.SKU: sku,
                        schema.REGION: region,
                        schema.FAMILY: fam,
                        "method": o.method,
                        "flag": o.flag,
                    }
                )
    errors = pd.concat(rows, ignore_index=True)
    overall = metrics.add_fva(metrics.accuracy_table(errors), "seasonal naive")
    by_family = metrics.add_fva(
        metrics.accuracy_table(errors, [schema.FAMILY]), "seasonal naive", by=[schema.FAMILY]
    )
    return Holdout(errors, overall, by_family, pd.DataFrame(chosen), horizon)


def coverage(errors: pd.DataFrame) -> pd.Series:
    """Share of held-out actuals inside [p10, p90] per method (0.8 when calibrated)."""
    e = errors.dropna(subset=["actual"])
    inside = (e["actual"] >= e["p10"]) & (e["actual"] <= e["p90"])
    return inside.groupby(e["method"]).mean()


CONVENTION = (
    "One origin per series: the last H calendar months up to each SKU x region series' "
    "last observed month are held out and forecast from the months before them. Series "
    "with H or fewer observed months are not scored. Everything a forecast uses (its own "
    "history, the family seasonal profiles, the promotion lift) comes from the training "
    "months only; planned promotions of the held-out months are known in advance."
)
DEFINITIONS = {
    "wape": "sum|F-A| / sum|A| over the held-out months (units-weighted)",
    "mape": "mean |F-A|/|A| over held-out months with A != 0",
    "bias": "sum(F-A) / sum(A); > 0 means over-forecast",
    "mase": "mean|F-A| / in-sample MAE of the seasonal naive (lag 12; lag 1 under 13 "
    "months) of the training part; undefined (null, counted in mase_undefined) when that "
    f"scale is 0 or under {metrics.MIN_SCALE_SHARE:.0%} of the mean level; overall MASE is "
    "the mean over series with a scale",
    "coverage_80": "share of held-out actuals inside [P10, P90] (0.8 when calibrated)",
    "fva": "(WAPE_seasonal_naive - WAPE) / WAPE_seasonal_naive",
}


def per_series(h: Holdout) -> pd.DataFrame:
    """One row per scored series for the automatic choice: series, sku, region, family,
    method (chosen), flag, months (held-out months with an actual), mase, wape, bias,
    coverage_80 (see `DEFINITIONS`)."""
    e = h.errors[h.errors["method"] == AUTO]
    e = e[e["actual"].notna()]
    inside = (e["actual"] >= e["p10"]) & (e["actual"] <= e["p90"])
    absum = (e["forecast"] - e["actual"]).abs()
    g = e.assign(_abs=absum, _err=e["forecast"] - e["actual"], _in=inside).groupby(
        "series", sort=True
    )
    act = g["actual"].sum()
    out = pd.DataFrame(
        {
            schema.SKU: g[schema.SKU].first(),
            schema.REGION: g[schema.REGION].first(),
            "months": g.size(),
            metrics.MASE: g["_abs"].mean() / g["scale"].first().where(g["scale"].first() > 0),
            metrics.WAPE: g["_abs"].sum() / g["actual"].apply(lambda a: a.abs().sum()),
            metrics.BIAS: g["_err"].sum() / act.where(act != 0),
            "coverage_80": g["_in"].mean(),
        }
    ).reset_index()
    out = out.merge(h.chosen, on=[schema.SKU, schema.REGION], how="left")
    cols = ["series", schema.SKU, schema.REGION, schema.FAMILY, "method", "flag", "months"]
    return out[[*cols, metrics.MASE, metrics.WAPE, metrics.BIAS, "coverage_80"]]


def _records(df: pd.DataFrame) -> list[dict]:
    """Rows as dicts with NaN and infinities as None (valid JSON)."""
    out = []
    for r in df.to_dict("records"):
        out.append(
            {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in r.items()}
        )
    return out


def to_json(h: Holdout) -> dict:
    """A JSON-ready summary: the hold-out convention and metric definitions, overall and
    per-family metrics, 80 % band coverage, method counts and one row per series."""
    skipped = int((h.errors["actual"] == 0).sum() // max(1, h.errors["method"].nunique()))
    rows = per_series(h)
    return {
        "horizon_months": h.horizon,
        "series": int(h.errors["series"].nunique()),
        "holdout": {
            "origins": 1,
            "horizon_months": h.horizon,
            "convention": CONVENTION,
            "metrics": DEFINITIONS,
        },
        "metrics": DEFINITIONS,
        "mape_zero_actuals_skipped": skipped,
        "mase_undefined_series": int(rows[metrics.MASE].isna().sum()),
        "p10_p90_coverage": {k: float(v) for k, v in coverage(h.errors).items()},
        "overall": _records(h.overall),
        "by_family": _records(h.by_family),
        "chosen_methods": {str(k): int(v) for k, v in h.chosen["method"].value_counts().items()},
        "flags": {str(k): int(v) for k, v in h.chosen["flag"].value_counts().items()},
        "per_series": _records(rows),
    }


def format_table(df: pd.DataFrame) -> str:
    """Metrics as a plain-text table (percentages for WAPE, MAPE, bias and FVA)."""
    out = df.copy()
    for c in (metrics.WAPE, metrics.MAPE, metrics.BIAS, metrics.FVA):
        if c in out:
            out[c] = out[c].map(lambda v: f"{v * 100:.1f}%" if pd.notna(v) else "-")
    if metrics.MASE in out:
        out[metrics.MASE] = out[metrics.MASE].map(lambda v: f"{v:.3f}" if pd.notna(v) else "-")
    return out.drop(columns=[metrics.MAPE_SKIPPED], errors="ignore").to_string(index=False)


BAND_CHECK_COLUMNS = (
    schema.FAMILY,
    "n_series",
    "held_out_months",
    "coverage_80",
    metrics.MASE,
    "mase_snaive",
    metrics.WAPE,
    metrics.BIAS,
)


def band_check(h: Holdout, all_label: str = "All families") -> pd.DataFrame:
    """Per family and for all series: how the automatic choice did on the hold-out,
    against seasonal naive on the same months. Columns `BAND_CHECK_COLUMNS`: series,
    held-out months with an actual, coverage_80 (share of actuals inside [P10, P90];
    0.8 when the band is calibrated), mean MASE of the choice and of seasonal naive
    (over series with a MASE scale), WAPE and bias of the choice."""
    e = h.errors[h.errors["actual"].notna()]
    e = e.assign(
        _abs=(e["forecast"] - e["actual"]).abs(),
        _err=e["forecast"] - e["actual"],
        _in=(e["actual"] >= e["p10"]) & (e["actual"] <= e["p90"]),
        _scale=e["scale"].where(e["scale"] > 0),
    )

    def summary(part: pd.DataFrame) -> dict:
        auto = part[part["method"] == AUTO]
        snaive = part[part["method"] == "seasonal naive"]

        def mean_mase(rows: pd.DataFrame) -> float:
            g = rows.groupby("series")
            per = g["_abs"].mean() / g["_scale"].first()
            return float(per.mean()) if per.notna().any() else float("nan")

        act = float(auto["actual"].abs().sum())
        return {
            "n_series": int(auto["series"].nunique()),
            "held_out_months": len(auto),
            "coverage_80": float(auto["_in"].mean()) if len(auto) else float("nan"),
            metrics.MASE: mean_mase(auto),
            "mase_snaive": mean_mase(snaive) if len(snaive) else float("nan"),
            metrics.WAPE: float(auto["_abs"].sum()) / act if act else float("nan"),
            metrics.BIAS: float(auto["_err"].sum()) / act if act else float("nan"),
        }

    rows = [{schema.FAMILY: f, **summary(p)} for f, p in e.groupby(schema.FAMILY, sort=True)]
    rows.append({schema.FAMILY: all_label, **summary(e)})
    return pd.DataFrame(rows, columns=list(BAND_CHECK_COLUMNS))
