"""The words of the Executive risk items (`sop.executive.risks`): what a binding line or
cap is worth (`bottleneck`) and the on-time rate a service item quotes (`window_rate`).
Both say only what the figures behind them hold: a shut month is named apart from the
months where more of the line adds value, and a rate over some months is given only
where it tells more than the whole plan's."""

from __future__ import annotations

import pandas as pd

from sop.core import fmt, schema
from sop.supply import explain as supply_explain
from sop.supply import service


def bottleneck(g: pd.DataFrame, per: str, currency: str) -> str:
    """What a binding line or cap is worth, month by month kinds kept apart: the months
    it is shut (no limit at all: +10 % of nothing adds nothing, reopening it is the
    lever) and the other months, where more of it adds value; for those the sentence
    gives the top shadow price and the sum of +10 % (`explain.money`: cents below 10,
    "an unknown amount" without a price). `g`: one resource's rows of
    `PlanResult.bottlenecks` with a `value` column (shadow price x 10 % of the limit)."""
    what = "hours" if per == "hour" else "supply"
    is_shut = (g["limit"].astype(float) <= supply_explain.TOL_UNITS).to_numpy()
    shut, rest = g[is_shut], g[~is_shut]
    open_ = rest[rest["value"].fillna(0.0) > 0.0]
    # counted as the binding tile counts them: open months, shut ones apart
    if not len(shut):
        out = [f"Binds in {fmt.count(len(g), 'month')}."]
    elif len(rest):
        out = [f"Binds in {fmt.count(len(rest), 'open month')} (+{len(shut)} shut)."]
    else:
        out = [f"Binds only while shut ({fmt.count(len(shut), 'month')})."]
    if len(shut):
        out.append(
            f"{'Shut' if per == 'hour' else 'Ships nothing'} in {fmt.month_runs(shut['month'])}: "
            f"{'reopening' if per == 'hour' else 'restoring'} it is the lever."
        )
    if len(open_):
        top = supply_explain.money(float(open_["shadow_price"].max()), currency)
        scope = f"In {fmt.month_runs(open_['month'])}, one" if len(shut) else "One"
        out.append(
            f"{scope} more {per} is worth up to {top}: +10 % {what} there adds up to "
            f"{fmt.money(float(open_['value'].sum()), currency)}."
        )
    elif len(rest):  # no price loaded (NaN): what its open months are worth is not known
        top = supply_explain.money(float(rest["shadow_price"].max()), currency)
        scope = f"In {fmt.month_runs(rest['month'])}, one" if len(shut) else "One"
        out.append(f"{scope} more {per} is worth {top}.")
    return " ".join(out)


def window_rate(fp: pd.DataFrame, owing: pd.Index, whole: float, target: float) -> str:
    """A family's on-time rate for its service item, the whole plan's being the one held
    against the `target`: '23.1 % of its orders on time over Aug 2027 to Feb 2028, when
    they run late (37.2 % over the whole plan, under the 95.0 % target)' when the rate
    over the months the item shows (first to last month with orders owed: its `when`)
    reads lower than the whole plan's; else the whole plan's alone ('59.9 % of its orders
    on time, under the 95.0 % target'). Units lost outside those months pull the whole
    plan's rate below the window's, and 'when they run late' must not read better."""
    alone = f"{fmt.pct(whole)} of its orders on time, under the {fmt.pct(target)} target"
    if owing.empty:
        return alone
    months = pd.to_datetime(fp[schema.MONTH])
    first, last = pd.Timestamp(owing.min()), pd.Timestamp(owing.max())
    inside = ((months >= first) & (months <= last)).to_numpy()
    if inside.all():
        return alone
    rate = service.plan_service(fp[inside])["on_time_rate"]
    if not rate < whole or fmt.pct(rate) == fmt.pct(whole):  # NaN, higher or reads the same
        return alone
    return (
        f"{fmt.pct(rate)} of its orders on time over {fmt.month_span(first, last)}, when "
        f"they run late ({fmt.pct(whole)} over the whole plan, under the "
        f"{fmt.pct(target)} target)"
    )
