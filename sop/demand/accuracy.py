"""Forecast accuracy and forecast value added (FVA), per series, per family and overall.

Two FVAs, both `sop.metrics.fva` on WAPE (share of the base's error removed;
positive = better than the base):

- the statistical forecast over seasonal naive, from the engine's backtest;
- the consensus over the statistical forecast, from consensus snapshots of
  earlier cycles compared with the actuals a later dataset brought. Until such
  history exists it is reported as not measurable, with the reason.

Family and overall backtest WAPE and bias are the series' figures weighted by
each series' units sold over the backtest window (the last
`backtest_horizon + (origins - 1) x step` months), so a big series counts more
than a spare part, as in a pooled WAPE. MAPE and MASE are plain means over the
series that have them. Pure functions: DataFrames in, new DataFrames out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sop.core import schema
from sop.core.months import add_months, next_month
from sop.demand import metrics

ALL = "All families"
METHOD, FLAG, N_MONTHS = "method", "flag", "n_months"
SNAIVE_WAPE = "snaive_wape"
FVA_SNAIVE = "fva_vs_snaive"
N_SERIES, N_BACKTESTED = "n_series", "n_backtested"
WEIGHT = "weight"
FLAG_OK = "ok"
LEVEL_KEYS = {
    "sku_region": [schema.SKU, schema.REGION],
    "sku": [schema.SKU],
    "family": [schema.FAMILY],
}
CYCLES, MONTHS_COMPARED = "cycles", "months_compared"
WAPE_STAT, WAPE_CONSENSUS = "wape_statistical", "wape_consensus"
FVA_CONSENSUS = "fva_consensus"
SHARE_OVERRIDDEN = "share_overridden"


def keys_of(level: str) -> list[str]:
    """Series key columns at a forecast level."""
    return LEVEL_KEYS[level]


def series_table(selection: pd.DataFrame, backtest: pd.DataFrame) -> pd.DataFrame:
    """One row per series: its keys, family, method, flag, n_months, wape, mape, bias,
    mase, snaive_wape and fva_vs_snaive (of the chosen method's WAPE)."""
    keys = [c for c in (schema.FAMILY, schema.SKU, schema.REGION) if c in selection.columns]
    df = selection.copy()
    bt_keys = [c for c in keys if c in backtest.columns]
    if not backtest.empty and metrics.MAPE in backtest.columns:
        mape = backtest[[*bt_keys, METHOD, metrics.MAPE]]
        df = df.merge(mape, on=[*bt_keys, METHOD], how="left")
    else:
        df[metrics.MAPE] = np.nan
    df[FVA_SNAIVE] = [
        metrics.fva(b, e)
        for b, e in zip(df[SNAIVE_WAPE].astype(float), df[metrics.WAPE].astype(float))
    ]
    cols = [
        *keys,
        METHOD,
        FLAG,
        N_MONTHS,
        metrics.WAPE,
        metrics.MAPE,
        metrics.BIAS,
        metrics.MASE,
        SNAIVE_WAPE,
        FVA_SNAIVE,
    ]
    return df[cols].sort_values(keys, ignore_index=True)


def backtest_weights(
    sales: pd.DataFrame, products: pd.DataFrame, level: str, as_of: pd.Timestamp, window: int
) -> pd.DataFrame:
    """Units sold per series over the `window` months up to `as_of`: keys + weight."""
    keys = keys_of(level)
    start = add_months(as_of, -(window - 1))
    recent = sales[(sales[schema.MONTH] >= start) & (sales[schema.MONTH] <= as_of)]
    if level == "family":
        fam = products.drop_duplicates(schema.SKU).set_index(schema.SKU)[schema.FAMILY]
        recent = recent.assign(**{schema.FAMILY: recent[schema.SKU].map(fam)})
    return (
        recent.groupby(keys, as_index=False)[schema.UNITS]
        .sum()
        .rename(columns={schema.UNITS: WEIGHT})
    )


def _pooled(group: pd.DataFrame) -> pd.Series:
    ok = group[metrics.WAPE].notna() & group[SNAIVE_WAPE].notna() & (group[WEIGHT] > 0)
    g = group[ok]
    w = g[WEIGHT].sum()
    wape = float((g[metrics.WAPE] * g[WEIGHT]).sum() / w) if w > 0 else np.nan
    snaive = float((g[SNAIVE_WAPE] * g[WEIGHT]).sum() / w) if w > 0 else np.nan
    bias = float((g[metrics.BIAS].fillna(0) * g[WEIGHT]).sum() / w) if w > 0 else np.nan
    return pd.Series(
        {
            N_SERIES: len(group),
            N_BACKTESTED: int(ok.sum()),
            metrics.WAPE: wape,
            metrics.MAPE: g[metrics.MAPE].mean(),
            metrics.BIAS: bias,
            metrics.MASE: g[metrics.MASE].mean(),
            SNAIVE_WAPE: snaive,
            FVA_SNAIVE: metrics.fva(snaive, wape),
        }
    )


def family_accuracy(series: pd.DataFrame, weights: pd.DataFrame) -> pd.DataFrame:
    """Backtest accuracy per family and for all families (last row).

    `series` from `series_table`, `weights` from `backtest_weights`. Columns:
    family, n_series, n_backtested, wape, mape, bias, mase, snaive_wape,
    fva_vs_snaive. Series without a backtest (short, new, zero) count in
    n_series only.
    """
    keys = [c for c in weights.columns if c != WEIGHT]
    df = series.merge(weights, on=keys, how="left").fillna({WEIGHT: 0.0})
    rows = [_pooled(g).rename(fam) for fam, g in df.groupby(schema.FAMILY, sort=True)]
    rows.append(_pooled(df).rename(ALL))
    out = pd.DataFrame(rows)
    out.index.name = schema.FAMILY
    out = out.reset_index()
    out[[N_SERIES, N_BACKTESTED]] = out[[N_SERIES, N_BACKTESTED]].astype(int)
    return out


def flagged(series: pd.DataFrame) -> pd.DataFrame:
    """The series whose flag is not `ok` (short, intermittent, large bias, zero,
    phased out, no history), worst WAPE first."""
    out = series[series[FLAG] != FLAG_OK]
    return out.sort_values([FLAG, metrics.WAPE], ascending=[True, False], ignore_index=True)


@dataclass(frozen=True)
class ConsensusFVA:
    """FVA of the consensus over the statistical forecast, or why it cannot be measured.

    table (empty when not measurable): family, cycles, months_compared,
    wape_statistical, wape_consensus, fva_consensus, share_overridden; last row ALL.
    """

    measurable: bool
    message: str
    table: pd.DataFrame


def _fva_table(m: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """Per family and for all families: cycles, months compared, WAPE of the statistical
    forecast and of the consensus against the actuals (`_actual`), FVA, share overridden."""
    rows = []
    for fam, g in [*m.groupby(schema.FAMILY, sort=True), (ALL, m)]:
        ws, wc = (
            metrics.wape(g["_actual"], g[schema.FORECAST_UNITS]),
            metrics.wape(g["_actual"], g[schema.UNITS]),
        )
        rows.append(
            {
                schema.FAMILY: fam,
                CYCLES: g["as_of"].nunique(),
                MONTHS_COMPARED: g[schema.MONTH].nunique(),
                WAPE_STAT: ws,
                WAPE_CONSENSUS: wc,
                FVA_CONSENSUS: metrics.fva(ws, wc),
                SHARE_OVERRIDDEN: float(
                    np.mean(~np.isclose(g[schema.UNITS], g[schema.FORECAST_UNITS]))
                ),
            }
        )
    return pd.DataFrame(rows, columns=cols)


def consensus_fva(
    snapshots: pd.DataFrame,
    sales: pd.DataFrame,
    as_of: pd.Timestamp,
) -> ConsensusFVA:
    """Compare earlier cycles' consensus and statistical forecast with the actuals.

    `snapshots` from `sop.store.forecasts.snapshots` (as_of, month, sku, region,
    family, forecast_units, units); a snapshot counts for the months after its
    as-of month up to `as_of` that have actual sales rows.
    """
    cols = [
        schema.FAMILY,
        CYCLES,
        MONTHS_COMPARED,
        WAPE_STAT,
        WAPE_CONSENSUS,
        FVA_CONSENSUS,
        SHARE_OVERRIDDEN,
    ]
    empty = pd.DataFrame(columns=cols)
    first = next_month(as_of)
    earlier = snapshots[snapshots["as_of"] < pd.Timestamp(as_of)]
    if earlier.empty:
        return ConsensusFVA(
            False,
            "Not measurable yet: no consensus of an earlier planning "
            "cycle is stored. This cycle's consensus is saved (as-of "
            f"{pd.Timestamp(as_of):%b %Y}); once a dataset with actuals from "
            f"{first:%b %Y} on is loaded, FVA of the consensus over the "
            "statistical forecast is measured against them.",
            empty,
        )
    snap = earlier[(earlier[schema.MONTH] > earlier["as_of"]) & (earlier[schema.MONTH] <= as_of)]
    actual = sales[[schema.MONTH, schema.SKU, schema.REGION, schema.UNITS]].rename(
        columns={schema.UNITS: "_actual"}
    )
    m = snap.merge(actual, on=[schema.MONTH, schema.SKU, schema.REGION], how="inner")
    m = m[m["_actual"].notna()]
    if m.empty:
        cycles = ", ".join(f"{a:%b %Y}" for a in sorted(earlier["as_of"].unique()))
        return ConsensusFVA(
            False,
            "Not measurable yet: the stored consensus of earlier "
            f"cycles (as-of {cycles}) covers no month that has actual sales "
            "in this dataset.",
            empty,
        )
    table = _fva_table(m, cols)
    overall = table.iloc[-1]
    note = (
        ""
        if overall[SHARE_OVERRIDDEN] > 0
        else " No override was in force in those "
        "cycles, so the consensus was the statistical forecast and its FVA is 0."
    )
    return ConsensusFVA(
        True,
        f"Measured on {len(m):,} SKU x region months of "
        f"{overall[CYCLES]} earlier cycle(s) against the actuals.{note}",
        table,
    )
