"""Fast price moves for the goal's price search: a price lever applied to inputs
already prepared, instead of preparing them again.

A price change of family f by p % multiplies, for every item of f (an item is one
family at one plant, or one SKU): its price, the worth the LP gives a unit served
and its SKUs' prices by k = 1 + p/100, and its demand, and with it the safety stock
that covers that demand and the rows of the demand plan, by k^elasticity
(`sop.scenario.apply.demand_factor`). Everything else `sop.supply.inputs.prepare`
computes is unchanged: the mixes inside an item and inside a family stay as they are,
so standard costs, holding rates and routings do not move.

That holds for the data most companies load, not for all of it: safety stock given
in units does not follow demand; a SKU with no price is worth the median of the
others. So `Repricer.check` prepares one move of every family both ways and
compares every array; only when they agree (to 1e-9) does the search use the fast
path; else every move is prepared in full. The answer is evaluated as a scenario by
the full path in any case (`sop.goal.solve`).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from sop.core import schema
from sop.scenario.apply import price_factors
from sop.scenario.evaluate import DemandBase, apply_levers
from sop.scenario.levers import Levers
from sop.supply.inputs import PlanInputs, prepare
from sop.supply.policy import SupplyPolicy

ARRAYS = (
    "demand",
    "price",
    "worth",
    "material",
    "hold",
    "ss",
    "onhand",
    "std_rate",
    "cap",
    "ot_cap",
    "sub_cap",
    "sub_price",
    "mat_cap",
    "row_share",
)


def reprice(inp: PlanInputs, levers: Levers) -> PlanInputs:
    """`inp` (prepared with no price change) with `levers`' price changes applied."""
    if not levers.price_family_pct:
        return inp
    factors = price_factors(levers)
    fam = inp.items[schema.FAMILY].to_numpy(dtype=object)
    k = np.array([factors.get(f, 1.0) for f in fam], dtype=float)
    dk = k**levers.price_elasticity if levers.price_elasticity else np.ones_like(k)
    rows = inp.rows.assign(**{schema.UNITS: inp.rows[schema.UNITS] * dk[inp.row_item]})
    sku_fam = inp.rows.drop_duplicates(schema.SKU).set_index(schema.SKU)[schema.FAMILY]
    sku_k = sku_fam.reindex(inp.sku_price.index).map(lambda f: factors.get(f, 1.0))
    return dataclasses.replace(
        inp,
        demand=inp.demand * dk[:, None],
        price=inp.price * k[:, None],
        worth=None if inp.worth is None else inp.worth * k[:, None],
        ss=inp.ss * dk[:, None],
        rows=rows,
        sku_price=inp.sku_price * sku_k.fillna(1.0).to_numpy(dtype=float),
        notes=list(inp.notes),
    )


def same(a: PlanInputs, b: PlanInputs) -> bool:
    """Every array the plan reads agrees to 1e-9 (relative), the demand rows too."""
    for name in ARRAYS:
        x, y = getattr(a, name), getattr(b, name)
        if x is None or y is None:
            if x is not y:
                return False
            continue
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        if x.shape != y.shape or not np.allclose(x, y, rtol=1e-9, atol=1e-9, equal_nan=True):
            return False
    units = schema.UNITS
    return np.allclose(
        a.rows[units].to_numpy(float), b.rows[units].to_numpy(float), rtol=1e-9, atol=1e-9
    ) and np.allclose(
        a.sku_price.to_numpy(float), b.sku_price.to_numpy(float), rtol=1e-9, equal_nan=True
    )


class Repricer:
    """Prepared inputs by the levers other than price; price moves by `reprice` once
    `check` found it exact on this dataset (module docstring)."""

    def __init__(self, base: DemandBase, tables: dict, policy: SupplyPolicy) -> None:
        self.base, self.tables, self.policy = base, tables, policy
        self.fast = False
        self._seen: dict[Levers, tuple[PlanInputs, SupplyPolicy]] = {}

    def full(self, levers: Levers) -> tuple[PlanInputs, SupplyPolicy]:
        si = apply_levers(self.base, self.tables, self.policy, levers)
        return prepare(si.demand, si.tables, si.policy), si.policy

    def inputs(self, levers: Levers) -> tuple[PlanInputs, SupplyPolicy]:
        """The prepared inputs and plan settings of `levers` (targets left out)."""
        if not self.fast or not levers.price_family_pct:
            return self.full(levers)
        key = dataclasses.replace(levers, price_family_pct=())
        if key not in self._seen:
            self._seen[key] = self.full(key)
            for old in list(self._seen)[:-4]:  # keep the last few
                del self._seen[old]
        inp, pol = self._seen[key]
        return reprice(inp, levers), pol

    def check(self, levers: Levers, families: list[str]) -> bool:
        """Prepare one move of every family (different sizes) both ways; use the fast
        path from now on when they agree."""
        if not families:
            return False
        moved = dataclasses.replace(
            levers,
            price_family_pct=tuple(
                sorted((f, 3.0 - 2.5 * i / max(len(families), 1)) for i, f in enumerate(families))
            ),
        )
        base_inp, _ = self.full(dataclasses.replace(levers, price_family_pct=()))
        self.fast = same(reprice(base_inp, moved), self.full(moved)[0])
        return self.fast
