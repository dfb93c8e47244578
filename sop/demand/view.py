"""What the Demand page shows for a picked family / SKU / region, as pure functions.

A *selection* is (family, sku, region) where None means "all": (None, None, None)
is the whole company, ("Cooling", None, None) a family, (f, "CL-101", None) a SKU
in every region, (f, "CL-101", "North") one series. The selection also decides
the level of an override made on the page (family, SKU or SKU x region).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sop.core import fmt, schema
from sop.demand import overrides
from sop.demand.hierarchy import aggregate

ACTUAL, FITTED, CONSENSUS = "actual", "fitted", "consensus"
LEVEL_LABEL = {
    "sku_region": "SKU x region",
    "sku": "SKU (split to regions)",
    "family": "Family (split to SKUs and regions)",
}
# The % change comes first: the form's default value is 0, and 0 % is refused as a
# no-op, while a default "new quantity 0" would silently wipe the selection's demand.
KIND_LABEL = {overrides.KIND_PCT: "Change (%)", overrides.KIND_UNITS: "New quantity (units/month)"}
LOADED_NOTE = (
    "This dataset brings its own consensus demand plan (table `consensus`): it is "
    "the demand plan as loaded, and overrides made here are not applied to it."
)
NO_RUN_NOTE = (
    "No statistical forecast is stored for this dataset yet. Press **Run "
    "forecast** above (or run `python -m sop forecast`)."
)
FLAGGED_NOTE = (
    "**Flagged series**: the engine could not model these normally (short, "
    "intermittent, large bias, …); check them and override where you know better."
)
PICK_NOTE = (
    "Pick a family (and, if you like, a SKU and a region) above: an override "
    "applies to a family, a SKU, or a SKU in one region."
)
EXPORT_NOTE = (
    "One row per month x SKU x region: consensus units, P10/P90, statistical P50 "
    "(forecast_units) and source. The store also keeps this cycle's consensus, so "
    "a later dataset can measure its forecast value added."
)
SERIES_COLUMNS = [schema.MONTH, ACTUAL, FITTED, schema.P50, schema.P10, schema.P90, CONSENSUS]
MARK_COLUMNS = [schema.OVERRIDE_ID, schema.START_MONTH, schema.END_MONTH, "label"]


def pick(
    df: pd.DataFrame,
    family: str | None,
    sku: str | None,
    region: str | None,
    products: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Rows of `df` inside the selection (`products` maps SKU -> family when `df` has
    no family column)."""
    if family is not None and schema.FAMILY not in df.columns:
        fam = products.drop_duplicates(schema.SKU).set_index(schema.SKU)[schema.FAMILY]
        df = df.assign(**{schema.FAMILY: df[schema.SKU].map(fam)})
    mask = np.ones(len(df), dtype=bool)
    for col, v in ((schema.FAMILY, family), (schema.SKU, sku), (schema.REGION, region)):
        if v is not None and col in df.columns:  # a family-level table has no sku
            mask = mask & (df[col] == v).to_numpy()
    return df[mask]


def override_level(family: str | None, sku: str | None, region: str | None) -> str | None:
    """The override level the selection stands for (None: pick a family first)."""
    if sku is not None:
        return overrides.LEVEL_SKU_REGION if region is not None else overrides.LEVEL_SKU
    return overrides.LEVEL_FAMILY if family is not None and region is None else None


def selection_label(family: str | None, sku: str | None, region: str | None) -> str:
    """All families / Cooling / CL-101 (all regions) / CL-101 in North / Cooling in North."""
    where = f" in {region}" if region else ""
    if sku:
        return f"{sku}{where}" if region else f"{sku} (all regions)"
    return f"{family or 'All families'}{where}"


def demand_series(
    sales: pd.DataFrame,
    fitted: pd.DataFrame,
    consensus: pd.DataFrame,
    products: pd.DataFrame,
    family: str | None,
    sku: str | None,
    region: str | None,
) -> pd.DataFrame:
    """Monthly history and forecast of the selection. Columns `SERIES_COLUMNS`:
    actual and fitted (history months; fitted NaN in a month where a series of
    the selection has no in-sample fit), p50 (the
    statistical forecast), p10/p90 (the band around the consensus) and consensus
    (forecast months). Bands of a sum come from `sop.hierarchy.aggregate`."""
    hist = pick(sales, family, sku, region, products)
    actual = hist.groupby(schema.MONTH)[schema.UNITS].sum(min_count=1).rename(ACTUAL)
    both = hist[[schema.SKU, schema.REGION, schema.MONTH, schema.UNITS]].merge(
        fitted[[schema.SKU, schema.REGION, schema.MONTH, FITTED]],
        on=[schema.SKU, schema.REGION, schema.MONTH],
        how="left",
    )
    both = both[both[schema.UNITS].notna()]
    # a sum of fitted values is only shown where every series with an actual has one
    # (some methods, e.g. theta, give no in-sample fit): a partial sum would mislead
    g = both.groupby(schema.MONTH)[FITTED]
    fit = g.sum().where(g.count() == g.size()).rename(FITTED)
    cons = pick(consensus, family, sku, region) if len(consensus) else consensus
    parts = [actual, fit]
    if len(cons):
        stat = cons[[schema.SKU, schema.REGION, schema.MONTH, schema.FORECAST_UNITS]].rename(
            columns={schema.FORECAST_UNITS: schema.P50}
        )
        band = cons.rename(columns={schema.UNITS: schema.P50})
        keep = [c for c in (schema.BAND_GROUP,) if c in band.columns]
        band = aggregate(
            band[
                [schema.SKU, schema.REGION, schema.MONTH, schema.P10, schema.P50, schema.P90, *keep]
            ],
            products,
            "total",
        ).set_index(schema.MONTH)
        parts += [
            stat.groupby(schema.MONTH)[schema.P50].sum(),
            band[schema.P10],
            band[schema.P90],
            band[schema.P50].rename(CONSENSUS),
        ]
    out = pd.concat(parts, axis=1).reindex(columns=SERIES_COLUMNS[1:])
    out.index.name = schema.MONTH
    return out.sort_index().reset_index()[SERIES_COLUMNS]


def override_marks(
    active: pd.DataFrame,
    family: str | None,
    sku: str | None,
    region: str | None,
    products: pd.DataFrame,
) -> pd.DataFrame:
    """Active overrides that change the selection: `MARK_COLUMNS`, label like
    "#3 Cooling +10 % (key account win)"."""
    fam_of = products.drop_duplicates(schema.SKU).set_index(schema.SKU)[schema.FAMILY]
    fam_sel = family if family is not None else (fam_of.get(sku) if sku else None)
    rows = []
    for _, r in active.iterrows():
        level = r[schema.LEVEL]
        hits = fam_sel is None or r[schema.FAMILY] == fam_sel
        if level != overrides.LEVEL_FAMILY:
            hits = hits and (sku is None or r[schema.SKU] == sku)
        if level == overrides.LEVEL_SKU_REGION:
            hits = hits and (region is None or r[schema.REGION] == region)
        if not hits:
            continue
        scope = {overrides.LEVEL_FAMILY: r[schema.FAMILY], overrides.LEVEL_SKU: r[schema.SKU]}.get(
            level, f"{r[schema.SKU]}/{r[schema.REGION]}"
        )
        change = (
            f"{r[schema.VALUE]:+g} %"
            if r[schema.KIND] == overrides.KIND_PCT
            else f"= {r[schema.VALUE]:,.0f} units/month"
        )
        rows.append(
            {
                schema.OVERRIDE_ID: r[schema.OVERRIDE_ID],
                schema.START_MONTH: r[schema.START_MONTH],
                schema.END_MONTH: r[schema.END_MONTH],
                "label": f"#{r[schema.OVERRIDE_ID]} {scope} {change} ({r[schema.REASON]})",
            }
        )
    return pd.DataFrame(rows, columns=MARK_COLUMNS)


def clip_marks(marks: pd.DataFrame, months: pd.Series) -> pd.DataFrame:
    """`override_marks` within the chart's `months`: a range is cut to them, one wholly
    outside is left out (a mark must never stretch the chart past its data)."""
    if marks.empty or months.empty:
        return marks.iloc[0:0] if months.empty else marks
    lo, hi = pd.Timestamp(months.min()), pd.Timestamp(months.max())
    inside = (marks[schema.END_MONTH] >= lo) & (marks[schema.START_MONTH] <= hi)
    out = marks[inside].copy()
    out[schema.START_MONTH] = out[schema.START_MONTH].clip(lower=lo)
    out[schema.END_MONTH] = out[schema.END_MONTH].clip(upper=hi)
    return out.reset_index(drop=True)


def horizon_totals(
    consensus: pd.DataFrame,
    family: str | None,
    sku: str | None,
    region: str | None,
    months: int = 12,
) -> dict[str, float]:
    """Consensus and statistical units of the selection over the first `months`
    forecast months: {"consensus", "forecast", "months"}."""
    cons = pick(consensus, family, sku, region)
    first = sorted(cons[schema.MONTH].unique())[:months]
    cons = cons[cons[schema.MONTH].isin(first)]
    return {
        CONSENSUS: float(cons[schema.UNITS].sum()),
        schema.FORECAST_UNITS: float(cons[schema.FORECAST_UNITS].sum()),
        "months": len(first),
    }


def picker_options(
    products: pd.DataFrame, sales: pd.DataFrame, family: str | None
) -> tuple[list[str], list[str], list[str]]:
    """(families, SKUs of `family` or of all, regions), each sorted."""
    fams = sorted(products[schema.FAMILY].dropna().unique())
    p = products if family is None else products[products[schema.FAMILY] == family]
    return fams, sorted(p[schema.SKU].unique()), sorted(sales[schema.REGION].dropna().unique())


def plan_month_options(consensus: pd.DataFrame) -> list[pd.Timestamp]:
    """The months of the consensus plan, in order (the override editor's choices)."""
    return (
        [pd.Timestamp(m) for m in sorted(consensus[schema.MONTH].unique())]
        if len(consensus)
        else []
    )


def run_caption(run) -> str:
    """One line about a stored run (`sop.store.forecasts.RunInfo`)."""
    level = LEVEL_LABEL.get(run.settings.get("level"), run.settings.get("level"))
    return (
        f"Stored run {run.run_id}: {run.n_series} series fitted at {level}, "
        f"{run.settings.get('horizon')} months ahead, on {run.created_at:%Y-%m-%d %H:%M} "
        f"UTC in {run.seconds:.0f} s. Pages reuse it; nothing refits on a click."
    )


def make_override(
    pick: tuple[str | None, str | None, str | None],
    start: pd.Timestamp,
    end: pd.Timestamp,
    kind: str,
    value: float,
    reason: str,
) -> overrides.Override:
    """The override the page's editor describes for the picked (family, sku, region)."""
    family, sku, region = pick
    level = override_level(family, sku, region) or overrides.LEVEL_FAMILY
    return overrides.Override(
        level=level,
        start_month=start,
        end_month=end,
        kind=kind,
        value=value,
        reason=reason,
        family=family,
        sku=sku,
        region=region,
    )


def active_ids(history: pd.DataFrame) -> list[int]:
    """Ids of the overrides still active in an override history, newest first."""
    live = history[history[schema.STATUS] == schema.STATUS_ACTIVE]
    return [
        int(i) for i in live.sort_values(schema.OVERRIDE_ID, ascending=False)[schema.OVERRIDE_ID]
    ]


OVERRIDE_LEVEL_TEXT = {
    overrides.LEVEL_FAMILY: "Family",
    overrides.LEVEL_SKU: "SKU",
    overrides.LEVEL_SKU_REGION: "SKU x region",
}
OVERRIDE_KIND_TEXT = {overrides.KIND_UNITS: "= units/month", overrides.KIND_PCT: "% change"}
TEXT_COLUMNS = (
    schema.AUTHOR,
    schema.REASON,
    schema.FAMILY,
    schema.SKU,
    schema.REGION,
    schema.WITHDRAWN_BY,
    schema.WITHDRAW_NOTE,
)


def history_view(history: pd.DataFrame) -> pd.DataFrame:
    """The override history as the page shows it: level and kind in words, and empty
    text where a field does not apply (not "None"). Same columns as `history`."""
    out = history.copy()
    out[schema.LEVEL] = out[schema.LEVEL].map(OVERRIDE_LEVEL_TEXT).fillna(out[schema.LEVEL])
    out[schema.KIND] = out[schema.KIND].map(OVERRIDE_KIND_TEXT).fillna(out[schema.KIND])
    for c in TEXT_COLUMNS:
        out[c] = out[c].fillna("")
    when = pd.to_datetime(out[schema.WITHDRAWN_AT])
    out[schema.WITHDRAWN_AT] = when.dt.strftime("%Y-%m-%d %H:%M").where(when.notna(), "")
    return out


def without_empty_columns(df: pd.DataFrame) -> pd.DataFrame:
    """`df` less the columns that are empty in every row (e.g. seasonal-naive figures
    of flagged series that were not measured against it)."""
    return df.loc[:, df.notna().any()] if len(df) else df


def fva_sentence(overall: pd.Series) -> str:
    """The forecast value added over seasonal naive in words, for the accuracy tab:
    what share of the naive error the forecast removes, or adds when it is worse."""
    fva = overall["fva_vs_snaive"]
    head = (
        f"**Statistical forecast vs seasonal naive** (backtest, all families): WAPE "
        f"{fmt.pct(overall['wape'])} vs {fmt.pct(overall['snaive_wape'])}, so the forecast "
    )
    if pd.isna(fva):
        return head + "cannot be compared with it (no series has a seasonal-naive backtest)."
    if fva < 0:
        return head + f"**adds {fmt.pct(-fva)}** to the naive error: worse than naive."
    return head + f"removes **{fmt.pct(fva)}** of the naive error."


def band_sentence(total: pd.Series, horizon: int) -> str:
    """The hold-out check's all-families row in words: how much of the held-out demand the
    80 % band caught (calibrated: about 80 %; far below: the band is too narrow to plan
    safety stock on) and the error against seasonal naive on the same months."""
    cov = total["coverage_80"]
    if pd.isna(cov):
        return "No held-out month had an actual to check."
    verdict = (
        "about right"
        if 0.75 <= cov <= 0.85
        else ("too narrow: plan with care" if cov < 0.75 else "wider than needed")
    )
    return (
        f"**Hold-out check** (last {horizon} months of {int(total['n_series'])} series held out, "
        f"forecast from the months before): the 80 % band (P10-P90) held "
        f"**{fmt.pct(cov)}** of {int(total['held_out_months'])} held-out months, {verdict}; "
        f"MASE {total['mase']:.2f} vs seasonal naive {total['mase_snaive']:.2f} "
        "(below 1: better than last year's same month)."
    )


ORPHAN_COLUMNS = [
    schema.OVERRIDE_ID,
    schema.LEVEL,
    schema.FAMILY,
    schema.SKU,
    schema.REGION,
    schema.START_MONTH,
    schema.END_MONTH,
    schema.KIND,
    schema.VALUE,
    schema.AUTHOR,
    schema.REASON,
    overrides.WHY,
]


def orphans_note(n: int) -> str:
    """What the Demand page says above the orphaned overrides, and what to do."""
    which = "One override" if n == 1 else f"{n} overrides"
    verb = "targets" if n == 1 else "target"
    return (
        f"{which} of this company {verb} a family, SKU or region that is not in the "
        "active dataset, so the consensus does not apply "
        f"{'it' if n == 1 else 'them'}. **Withdraw** it under the history below if it "
        "is no longer wanted, or **keep it for later**: it applies again as soon as a "
        "dataset brings the family, SKU or region back."
    )


def orphans_view(orphans: pd.DataFrame) -> pd.DataFrame:
    """The orphaned overrides (`overrides.split_orphans`) as the page lists them:
    `ORPHAN_COLUMNS`, level and kind in words, empty text where a field does not
    apply."""
    out = orphans[ORPHAN_COLUMNS].copy()
    out[schema.LEVEL] = out[schema.LEVEL].map(OVERRIDE_LEVEL_TEXT).fillna(out[schema.LEVEL])
    out[schema.KIND] = out[schema.KIND].map(OVERRIDE_KIND_TEXT).fillna(out[schema.KIND])
    for c in (schema.FAMILY, schema.SKU, schema.REGION):
        out[c] = out[c].fillna("")
    return out.reset_index(drop=True)
