"""The Data page's missing-data heat map (`charts.missing_heatmap`) builds its hover
text and cell numbers with numpy instead of a Python loop over every cell; the figure
it sends to the browser must be the one it sent before, character for character.

The function as it was is kept here as the reference and both are compared as the JSON
Streamlit sends (`plotly.io.to_json`), on the demo's matrix and on hostile ones: SKUs
with no product row (no family), names with quotes, HTML, "=", "%" and "&" (escaped in
hover text and tick labels), fractional, negative-zero and integer counts, a SKU outside
its life in every month."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from sop.core import charts, fmt, schema
from sop.core.charts import TEMPLATE
from sop.core.months import as_of_month
from sop.data import dataview, defaults
from sop.data.demo import build_demo

# --- the code as it was -----------------------------------------------------------


def ref_missing_heatmap(matrix: pd.DataFrame, families: pd.Series) -> go.Figure:
    if matrix.empty:
        return go.Figure(layout=dict(template=TEMPLATE, title="No sales history"))
    hover = [
        [
            f"{fmt.plot_text(sku)} ({fmt.plot_text(families.get(sku, ''))})<br>{m:%b %Y}: "
            + ("outside the SKU's life" if pd.isna(v) else f"{v:.0f} region(s) missing")
            for m, v in row.items()
        ]
        for sku, row in matrix.iterrows()
    ]
    fig = go.Figure(
        go.Heatmap(
            z=matrix.to_numpy(),
            x=list(matrix.columns),
            y=[fmt.plot_text(sku) for sku in matrix.index],
            colorscale=[[0, "#EAF2EA"], [0.001, "#FCE3C2"], [1, "#B23A48"]],
            zmin=0,
            zmax=max(1.0, float(pd.DataFrame(matrix).max().max())),
            hoverinfo="text",
            hovertext=hover,
            text=[[f"{v:.0f}" if v > 0 else "" for v in row] for row in matrix.to_numpy()],
            texttemplate="%{text}",
            textfont=dict(size=9),
            colorbar=dict(title="Regions<br>missing", dtick=1, tickformat="d"),
            xgap=1,
            ygap=1,
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title="Missing sales rows by SKU and month",
        height=max(360, 14 * len(matrix) + 120),
        xaxis_title="Month",
        yaxis=dict(autorange="reversed", title="SKU", tickfont=dict(size=10)),
    )
    return fig


def same_figure(matrix: pd.DataFrame, families: pd.Series) -> str:
    got = pio.to_json(charts.missing_heatmap(matrix, families), validate=False)
    assert got == pio.to_json(ref_missing_heatmap(matrix, families), validate=False)
    return got


# --- tests --------------------------------------------------------------------------

M = pd.date_range("2026-01-01", periods=14, freq="MS")
ODD = ['Say "hi"', "<b>bold</b>", "=SUM(A1)", "50% & more", "%{y}", "Ämter's"]


def test_the_demo_heat_map_is_the_one_it_was() -> None:
    t = defaults.complete(build_demo())
    matrix = dataview.missing_matrix(t[schema.SALES], t[schema.PRODUCTS], as_of_month(t))
    families = t[schema.PRODUCTS].set_index(schema.SKU)[schema.FAMILY]
    shown, n, gaps = dataview.worst_gaps(matrix)
    assert gaps > 0 and matrix.isna().to_numpy().any()
    same_figure(shown, families)
    same_figure(shown.iloc[:7], families.iloc[::2])  # half the SKUs with no family


@pytest.mark.parametrize("seed", range(4))
def test_hostile_matrices_give_the_figure_they_gave(seed: int) -> None:
    rng = np.random.default_rng(seed)
    skus = [f"S{i}" for i in range(30)] + ODD
    z = rng.integers(0, 4, (len(skus), len(M))).astype(float)
    z[rng.random(z.shape) < 0.2] = np.nan
    z[rng.random(z.shape) < 0.05] = 0.5 + rng.integers(0, 3)  # rounds half to even
    z[0, :] = np.nan  # outside its life throughout
    z[1, :3] = -0.0
    matrix = pd.DataFrame(z, index=pd.Index(skus, dtype="str"), columns=M)
    fams = pd.Series(["Fam <i>x</i>", 'Q"uote', "=1+1", "a & b"] * 9, index=skus[::-1][:36])
    same_figure(matrix, fams.iloc[rng.permutation(len(fams))[:25]])
    same_figure(matrix.astype("float32"), fams)
    whole = matrix.fillna(0).astype(int)
    same_figure(whole, fams)


def test_names_stay_escaped_in_hover_and_ticks() -> None:
    matrix = pd.DataFrame(
        [[1.0, np.nan], [0.0, 2.0]], index=pd.Index(ODD[1:3], dtype="str"), columns=M[:2]
    )
    fam = pd.Series({"<b>bold</b>": "<i>Fam</i> 100%"})
    same_figure(matrix, fam)
    hm = charts.missing_heatmap(matrix, fam).data[0]
    assert hm.hovertext[0][0] == (
        "&lt;b&gt;bold&lt;/b&gt; (&lt;i&gt;Fam&lt;/i&gt; 100&#37;)<br>Jan 2026: 1 region(s) missing"
    )
    assert hm.hovertext[0][1].endswith("Feb 2026: outside the SKU's life")
    assert hm.hovertext[1][1] == "=SUM(A1) ()<br>Feb 2026: 2 region(s) missing"
    assert list(hm.y) == ["&lt;b&gt;bold&lt;/b&gt;", "=SUM(A1)"]
    assert [list(r) for r in hm.text] == [["1", ""], ["", "2"]]


def test_an_empty_matrix_says_so() -> None:
    same_figure(pd.DataFrame(), pd.Series(dtype=object))
