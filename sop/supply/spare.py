"""What a supply plan leaves of its limits, for units made beyond the plan.

`limits(plan, inputs)` gathers, per month, what bounds in-house production (the regular
and overtime hours of every line and labour pool, at the plan's workforce, and the
material caps) and subcontracting (each offer's monthly cap); `grant` shares what is
left among items that ask for more at once; `months_to_spare` says how long a unit short
would wait for capacity; `hour_rates` what an hour costs as the plan's cost table counts
it. `sop.supply.paths` re-plans demand paths with them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sop.core import schema
from sop.supply.inputs import PlanInputs
from sop.supply.plan import PlanResult

EPS = 1e-9


@dataclass(frozen=True)
class Limits:
    """What bounds in-house production (R = the resources, then the material caps) and
    subcontracting, per month, under the plan's settings."""

    hours: np.ndarray  # (n, R) hours per unit on each resource; 1 on a material cap it counts to
    regular: np.ndarray  # (R, T) regular hours (lines: calendar; labour: workers); caps: units
    most: np.ndarray  # (R, T) regular + the most overtime allowed
    sub_item: np.ndarray  # (k,) item of each subcontract pair, pairs cheapest first
    sub_option: np.ndarray  # (k,) offer of each pair
    sub_price: np.ndarray  # (k,) money per unit
    sub_cap: np.ndarray  # (o, T) units per month (0 when subcontracting is off)


def limits(plan: PlanResult, inp: PlanInputs) -> Limits:
    """The plan's limits (`Limits`): hours from the inputs, regular and overtime hours per
    resource-month as the plan has them (`resource_use`: labour pools at the plan's
    workforce; overtime 0 when the plan allows none)."""
    ru = plan.resource_use.set_index([schema.RESOURCE, schema.MONTH])
    grid = pd.MultiIndex.from_product([inp.res[schema.RESOURCE], inp.months])
    m, T = len(inp.res), inp.T

    def per_month(col: str) -> np.ndarray:
        return np.nan_to_num(ru[col].reindex(grid).to_numpy(dtype=float)).reshape(m, T)

    regular = per_month(schema.AVAILABLE_HOURS)
    most = regular + per_month("max_overtime_hours")
    caps = np.zeros((inp.n, len(inp.mat)))
    if len(inp.mat_pairs):
        caps[inp.mat_pairs[:, 0], inp.mat_pairs[:, 1]] = 1.0
    hours = np.hstack([inp.hours.toarray(), caps])
    order = np.argsort(inp.sub_price, kind="stable")
    pairs = inp.sub_pairs[order] if len(order) else np.zeros((0, 2), int)
    on = inp.sub_cap if plan.policy.subcontract_allowed else np.zeros_like(inp.sub_cap)
    return Limits(
        hours=hours,
        regular=np.vstack([regular, inp.mat_cap]),
        most=np.vstack([most, inp.mat_cap]),
        sub_item=pairs[:, 0],
        sub_option=pairs[:, 1],
        sub_price=inp.sub_price[order],
        sub_cap=on,
    )


def plan_pairs(lim: Limits, subcontracted: np.ndarray) -> np.ndarray:
    """(k, T) the plan's subcontracted units per pair: each item's units from its
    cheapest offers first, within their caps (the plan keeps units per item only)."""
    left_item = subcontracted.copy()
    left_cap = lim.sub_cap.copy()
    out = np.zeros((len(lim.sub_item), subcontracted.shape[1]))
    for k, (i, o) in enumerate(zip(lim.sub_item, lim.sub_option)):
        out[k] = np.clip(np.minimum(left_item[i], left_cap[o]), 0, None)
        left_item[i] -= out[k]
        left_cap[o] -= out[k]
    return out


def grant(lim: Limits, want: np.ndarray, left: np.ndarray) -> np.ndarray:
    """(P, n) units of `want` (P, n) that fit in `left` (P, R): each limit shared in
    proportion to what the items ask; twice, so what one item cannot use goes to others."""
    out = np.zeros_like(want)
    for _ in range(2):
        load = want @ lim.hours
        if (load <= left).all():
            return out + want
        ratio = np.where(load > left, left / np.where(load > 0, load, 1.0), 1.0)
        f = np.ones_like(want)
        for r in np.flatnonzero((ratio < 1.0).any(axis=0)):  # the limits that bind: few
            users = lim.hours[:, r] > 0
            f[:, users] = np.minimum(f[:, users], ratio[:, r : r + 1])
        g = want * np.clip(f, 0.0, 1.0)
        out += g
        want = want - g
        left = np.clip(left - g @ lim.hours, 0.0, None)
    return out


def months_to_spare(lim: Limits, plan_load: np.ndarray, extra: np.ndarray) -> np.ndarray:
    """(P, n, T) months from each month to the next one in which the regular hours the
    plan leaves could make the path's `extra` (P, n, T) units of the item and more (inf
    when none is left in the horizon): how long a unit short in that month waits as
    backlog."""
    left = lim.regular - plan_load  # inf where a material cap does not apply
    some = np.isinf(left) | (left > 1e-3 * np.maximum(lim.regular, 1.0))
    left = np.where(some, left, 0.0)  # (R, T)
    uses = lim.hours > 0
    per_unit = np.where(
        uses[:, :, None], left[None] / np.where(uses, lim.hours, 1.0)[:, :, None], np.inf
    )
    room = per_unit.min(axis=1)  # (n, T) units of the item those hours could make
    busy = room[None] <= np.clip(extra, 0.0, None) + EPS
    out = np.zeros(extra.shape)
    wait = np.full(extra.shape[:2], np.inf)  # after the last month: never
    for t in range(extra.shape[2] - 1, -1, -1):
        out[:, :, t] = wait
        wait = np.where(busy[:, :, t], wait + 1.0, 1.0)
    return out


def hour_rates(inp: PlanInputs) -> tuple[np.ndarray, np.ndarray]:
    """((m,) money per regular hour a unit's hours cost as they are used: lines' rate, 0
    for labour pools, whose wages are paid whatever they make; (m,) money per overtime
    hour on top: lines' overtime premium, labour pools' whole overtime rate), as the
    plan's cost table counts them (`sop.supply.results`)."""
    res = inp.res
    is_line = (res[schema.KIND] == schema.KIND_LINE).to_numpy()
    reg = res[schema.REGULAR_COST_PER_HOUR].to_numpy(dtype=float, na_value=0.0)
    otr = res[schema.OVERTIME_COST_PER_HOUR].to_numpy(dtype=float, na_value=0.0)
    return reg * is_line, np.where(is_line, np.maximum(otr - reg, 0.0), otr)
