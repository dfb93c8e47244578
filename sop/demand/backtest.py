"""Hold-out accuracy of the engine: the last H months of every series, forecast blind.

`holdout` cuts the last `horizon` observed months off each SKU x region series,
forecasts them from the rest with the engine's automatic choice ("auto") and with each
baseline forced on every series, and scores all of them with `sop.metrics`
(MASE scaled by the in-sample seasonal naive error, lag 12, of the training part).
Used by `python -m sop backtest` (`sop.cli.backtest`) and bench/bench_forecast_accuracy.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from sop.core import schema
from sop.data.validate import validate_dir
from sop.demand import metrics
from sop.demand.engine import BASELINES, ForecastSettings, run_jobs
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


def read_sales(folder: str) -> dict[str, pd.DataFrame]:
    """The tables of a data-model folder the backtest needs: sales (required), products
    and promotions (optional), read with the validation machinery."""
    report = validate_dir(folder)
    tables = report.tables
    if schema.SALES not in tables:
        own = [f for f in report.errors if f.message.startswith((f"{schema.SALES}.", str(folder)))]
        msgs = "; ".join(f.message for f in (own or report.errors)[:3])
        raise ValueError(
            f"{folder}: no usable sales table (the backtest needs only sales; "
            f"products and promotions are optional). {msgs}"
        )
    return {
        k: v for k, v in tables.items() if k in (schema.SALES, schema.PRODUCTS, schema.PROMOTIONS)
    }


def _split(jobs: list[Job], horizon: int) -> tuple[list[Job], list[np.ndarray]]:
    """Training jobs (history minus the last `horizon` observed months) and actuals."""
    train, actual = [], []
    for j in jobs:
        obs = np.flatnonzero(~np.isnan(j.y))
        if len(obs) <= horizon:
            continue
        end = obs[-1] + 1
        cut = end - horizon
        promo = None if j.promo is None else j.promo[:end]
        train.append(Job(j.key, j.y[:cut], j.first_month, horizon, promo, j.profile, None))
        actual.append(j.y[cut:end])
    return train, actual


def holdout(
    tables: dict[str, pd.DataFrame],
    horizon: int,
    settings: ForecastSettings | None = None,
    baselines: tuple[str, ...] = BASELINES,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Holdout:
    """Score the automatic choice and each baseline on the last `horizon` months."""
    if horizon < 1:
        raise ValueError(f"the hold-out horizon must be at least 1 month, not {horizon}")
    sales = tables.get(schema.SALES)
    if sales is None or sales.empty:
        raise ValueError("there is no sales history to backtest")
    settings = settings or ForecastSettings(horizon=horizon)
    settings = replace(settings, level="sku_region", horizon=horizon)
    settings.check()
    as_of = pd.Timestamp(sales[schema.MONTH].max())
    prep = build_jobs(tables, "sku_region", as_of, horizon, settings.use_promotions)
    train, actual = _split(prep.jobs, horizon)
    if not train:
        raise ValueError(
            f"no series has more than {horizon} months of history; give a shorter --horizon"
        )
    runs = [(AUTO, settings.config())] + [
        (b, replace(settings.config(), force=b)) for b in baselines
    ]
    total = len(train) * len(runs)
    rows = []
    chosen = []
    for r, (name, cfg) in enumerate(runs):

        def tick(done: int, _t: int, r: int = r) -> None:
            if progress:
                progress(r * len(train) + done, total)

        outs = run_jobs(train, cfg, workers, tick)
        for j, o, a in zip(train, outs, actual):
            sku, region = j.key
            fam = prep.family.get(sku, "")
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


def to_json(h: Holdout) -> dict:
    """A JSON-ready summary: settings, overall and per-family metrics, method counts."""

    def records(df: pd.DataFrame) -> list[dict]:
        return [
            {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in r.items()}
            for r in df.to_dict("records")
        ]

    skipped = int((h.errors["actual"] == 0).sum() // max(1, h.errors["method"].nunique()))
    return {
        "horizon_months": h.horizon,
        "series": int(h.errors["series"].nunique()),
        "metrics": {
            "wape": "sum|F-A|/sum|A|",
            "mape": "mean |F-A|/|A| over A != 0",
            "bias": "sum(F-A)/sum(A)",
            "mase": "mean over series of MAE / in-sample seasonal naive MAE (lag 12)",
            "fva": "(WAPE_seasonal_naive - WAPE) / WAPE_seasonal_naive",
        },
        "mape_zero_actuals_skipped": skipped,
        "p10_p90_coverage": {k: float(v) for k, v in coverage(h.errors).items()},
        "overall": records(h.overall),
        "by_family": records(h.by_family),
        "chosen_methods": {str(k): int(v) for k, v in h.chosen["method"].value_counts().items()},
        "flags": {str(k): int(v) for k, v in h.chosen["flag"].value_counts().items()},
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
