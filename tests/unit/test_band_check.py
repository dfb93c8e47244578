"""The hold-out check behind the Demand page's accuracy tab: coverage and errors by family,
counted from the hold-out's own rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
from tiny import tiny_tables

from sop.core import schema
from sop.demand import backtest
from sop.demand.engine import ForecastSettings
from sop.demand.view import band_sentence

FAST = ForecastSettings(horizon=6, candidates=("seasonal naive", "auto_ets"), reconcile="bottom_up")


def test_band_check_counts_coverage_and_errors_from_the_held_out_rows() -> None:
    h = backtest.holdout(tiny_tables(), 6, FAST, ("seasonal naive",), workers=1)
    table = backtest.band_check(h)
    assert table[schema.FAMILY].tolist()[-1] == "All families"
    auto = h.errors[(h.errors["method"] == backtest.AUTO) & h.errors["actual"].notna()]
    inside = ((auto["actual"] >= auto["p10"]) & (auto["actual"] <= auto["p90"])).mean()
    total = table.iloc[-1]
    assert total["coverage_80"] == inside
    assert total["held_out_months"] == len(auto)
    err = (auto["forecast"] - auto["actual"]).sum() / auto["actual"].abs().sum()
    assert np.isclose(total["bias"], err)
    for fam, part in auto.groupby(schema.FAMILY):
        row = table[table[schema.FAMILY] == fam].iloc[0]
        assert row["n_series"] == part["series"].nunique()
    per = backtest.per_series(h)  # the JSON's per-series rows agree with the table
    assert np.isclose(per["mase"].mean(), total["mase"], equal_nan=True)


def test_band_sentence_judges_the_coverage() -> None:
    row = pd.Series(
        {
            "coverage_80": 0.62,
            "n_series": 10,
            "held_out_months": 120,
            "mase": 0.9,
            "mase_snaive": 1.1,
        }
    )
    said = band_sentence(row, 12)
    assert "62" in said and "too narrow" in said and "120 held-out months" in said
    assert "about right" in band_sentence(row.replace(0.62, 0.8), 12)
