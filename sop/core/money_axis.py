"""Money on Plotly charts the way `sop.fmt.money` writes it: the sign before the
symbol (-€800k, never €-800k or €−800k).

Plotly's `tickprefix` goes in front of the formatted number, minus sign included,
so money axes get their ticks as values and labels (`fmt.money_ticks`) and hover
texts are made here and passed as `customdata`.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import plotly.graph_objects as go

from sop.core import fmt


def texts(values: Iterable[float], currency: str, delta: bool = False) -> list[str]:
    """Exact money texts (for hover): -€25,508, +€6,860 with `delta`."""
    f = fmt.money_delta if delta else fmt.money
    return [f(v, currency, compact=False) for v in values]


def hover(label: str = "%{x|%b %Y}") -> str:
    """A hover template showing `label` and the trace's money text (`customdata`)."""
    return f"{label}: %{{customdata}}<extra>%{{fullData.name}}</extra>"


def axis(
    fig: go.Figure,
    currency: str,
    values: Iterable[float],
    title: str | None = None,
    include_zero: bool = True,
    target: int = 6,
    **where,
) -> None:
    """Money ticks on the y axis (or x with `x=True` in `where`) covering `values`."""
    v = np.asarray([float(x) for x in values if x is not None], dtype=float)
    v = v[np.isfinite(v)]
    lo, hi = (float(v.min()), float(v.max())) if v.size else (0.0, 0.0)
    ticks, labels = fmt.money_ticks(lo, hi, currency, target=target, include_zero=include_zero)
    on_x = where.pop("x", False)
    update = fig.update_xaxes if on_x else fig.update_yaxes
    extra = {} if title is None else {"title_text": title}
    update(
        tickmode="array",
        tickvals=ticks,
        ticktext=labels,
        tickprefix="",
        tickformat="",
        **extra,
        **where,
    )


def stacked_extent(*series: Iterable[float]) -> list[float]:
    """The lowest and highest points of bars stacked from the given series (per x)."""
    arr = np.asarray([np.asarray(list(s), dtype=float) for s in series], dtype=float)
    arr = np.nan_to_num(arr)
    if arr.size == 0:
        return [0.0]
    pos, neg = np.clip(arr, 0, None).sum(axis=0), np.clip(arr, None, 0).sum(axis=0)
    return [float(neg.min()), float(pos.max())]
