"""The snapshot of an approved plan: what the decision log keeps of it, so the plan can
be shown, compared and bridged after the data has changed.

`make_snapshot` takes it from an optimal `sop.scenario.Evaluation`; `PlanSnapshot`
turns it into JSON text and back (`sop.store.decisions` stores the text with the
approval, in the same transaction) and into the `PlanResult` the margin bridge reads.
A snapshot saved by an older version reads its missing columns as missing values, and
its KPIs without the ones it did not keep (`kpis_as_kept`: its late value priced
unit-months, not late units, so it is dropped, never compared with today's).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sop.core import fmt, schema
from sop.supply.plan import OPTIMAL, PlanResult
from sop.supply.policy import SupplyPolicy

FORMAT = 1
SOE_MONTHS = 3
FP_COLUMNS = [
    schema.MONTH,
    schema.FAMILY,
    schema.PLANT,
    "demand",
    "production",
    "subcontracted",
    "shipped",
    "backlog",
    "lost_sales",
    "inventory",
    "revenue",
    "material_cost",
    "subcontract_cost",
    "holding_cost",
    "backlog_cost",
    "inventory_change",
    "booked_units",
    "standard_cogs",
    "stock_value",
    "idle_time",
    "overtime_premium",
    "hiring_cost",
    "layoff_cost",
    "subcontract_variance",
    "added_capacity",
    "promotion_cost",
]
SKU_COLUMNS = [
    schema.MONTH,
    schema.SKU,
    schema.FAMILY,
    schema.PLANT,
    "demand",
    "production",
    "subcontracted",
    "shipped",
    "inventory",
]
PNL_COLUMNS = [schema.MONTH, schema.FAMILY, "units", schema.REVENUE, schema.MARGIN]


def kpis_as_kept(kpis: dict[str, float]) -> dict[str, float]:
    """A snapshot's stored KPIs as they read now: a snapshot saved before `late_units`
    was kept (an older version) stored as `late_value` its late unit-months x price, a
    figure of another meaning than today's late units x price. Such a snapshot holds
    no late value: it is dropped, so every comparison says the snapshot holds no figure
    rather than set two meanings against each other."""
    if "late_units" in kpis:
        return dict(kpis)
    return {k: v for k, v in kpis.items() if k != "late_value"}


def _records(df: pd.DataFrame, cols: list[str]) -> dict[str, list]:
    out: dict[str, list] = {}
    for c in cols:
        s = df[c] if c in df.columns else pd.Series(np.nan, index=df.index)
        if c == schema.MONTH:
            out[c] = [pd.Timestamp(v).strftime("%Y-%m-%d") for v in s]
        elif pd.api.types.is_numeric_dtype(s):
            out[c] = [
                None if not np.isfinite(v) else float(v)
                for v in s.to_numpy(dtype=float, na_value=np.nan)
            ]
        else:
            out[c] = [str(v) for v in s]
    return out


def _frame(data: dict[str, list], cols: list[str]) -> pd.DataFrame:
    # a snapshot saved by an older version lacks newer columns: they read as missing
    rows = max((len(v) for v in data.values()), default=0)
    df = pd.DataFrame({c: data.get(c, [None] * rows) for c in cols})
    if schema.MONTH in df.columns:
        df[schema.MONTH] = pd.to_datetime(df[schema.MONTH])
    for c in cols:
        if c not in (schema.MONTH, schema.FAMILY, schema.PLANT, schema.SKU):
            df[c] = pd.to_numeric(df[c]).astype(float)
    return df


@dataclass
class PlanSnapshot:
    """A plan as approved: enough to show, compare and bridge it after the data moved.

    family_plan: `FP_COLUMNS` (family x plant x month); costs: term, label, kind,
    amount; pnl: `PNL_COLUMNS` (family x month); sku_plan: `SKU_COLUMNS` for the
    first `SOE_MONTHS` months (the S&OE hand-off); kpis: `sop.finance.kpis.plan_kpis`;
    budget: `sop.finance.budget_kpis`.
    """

    cycle: pd.Timestamp
    scenario_id: int
    scenario_name: str
    levers: dict[str, Any]
    dataset_version: int | None
    as_of: pd.Timestamp | None
    currency: str
    kpis: dict[str, float]
    budget: dict[str, float]
    family_plan: pd.DataFrame
    costs: pd.DataFrame
    pnl: pd.DataFrame
    sku_plan: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SKU_COLUMNS))
    settings: dict[str, Any] = field(default_factory=dict)  # the SupplyPolicy planned with

    def to_json(self) -> str:
        def num(d: dict) -> dict:
            return {k: (None if fmt.missing(v) else float(v)) for k, v in d.items()}

        return json.dumps(
            {
                "format": FORMAT,
                "cycle": self.cycle.strftime("%Y-%m-%d"),
                "scenario_id": self.scenario_id,
                "scenario_name": self.scenario_name,
                "levers": self.levers,
                "dataset_version": self.dataset_version,
                "as_of": None if self.as_of is None else self.as_of.strftime("%Y-%m-%d"),
                "currency": self.currency,
                "kpis": num(self.kpis),
                "budget": num(self.budget),
                "family_plan": _records(self.family_plan, FP_COLUMNS),
                "costs": {
                    "term": [str(t) for t in self.costs["term"]],
                    "label": [str(t) for t in self.costs["label"]],
                    "kind": [str(t) for t in self.costs["kind"]],
                    "amount": [float(a) for a in self.costs["amount"]],
                },
                "pnl": _records(self.pnl, PNL_COLUMNS),
                "sku_plan": _records(self.sku_plan, SKU_COLUMNS),
                "settings": self.settings,
            },
            allow_nan=False,
        )

    @classmethod
    def from_json(cls, text: str) -> PlanSnapshot:
        d = json.loads(text)

        def num(x: dict) -> dict[str, float]:
            return {k: (np.nan if v is None else float(v)) for k, v in x.items()}

        return cls(
            pd.Timestamp(d["cycle"]),
            int(d["scenario_id"]),
            d["scenario_name"],
            d["levers"],
            d["dataset_version"],
            None if d["as_of"] is None else pd.Timestamp(d["as_of"]),
            d["currency"],
            kpis_as_kept(num(d["kpis"])),
            num(d["budget"]),
            _frame(d["family_plan"], FP_COLUMNS),
            pd.DataFrame(d["costs"]),
            _frame(d["pnl"], PNL_COLUMNS),
            _frame(d["sku_plan"], SKU_COLUMNS),
            d.get("settings", {}),
        )

    def plan(self) -> PlanResult:
        """The snapshot as a `PlanResult` holding what `sop.finance.bridge.margin_bridge` reads."""
        return PlanResult(
            OPTIMAL,
            "snapshot",
            SupplyPolicy.from_dict(self.settings),
            family_plan=self.family_plan,
            costs=self.costs,
        )


def make_snapshot(
    evaluation: Any,
    cycle: pd.Timestamp,
    scenario_id: int,
    name: str,
    dataset_version: int | None,
    as_of: pd.Timestamp | None,
    currency: str,
    sku_plan: pd.DataFrame | None = None,
) -> PlanSnapshot:
    """The snapshot of an optimal `sop.scenario.Evaluation`; `sku_plan` is the plan's
    SKU detail (`PlanResult.sku_plan`), kept for the first `SOE_MONTHS` months."""
    plan = evaluation.plan
    fp = plan.family_plan.groupby([schema.MONTH, schema.FAMILY, schema.PLANT], as_index=False)[
        FP_COLUMNS[3:]
    ].sum()
    sku = pd.DataFrame(columns=SKU_COLUMNS)
    if sku_plan is not None and len(sku_plan):
        first = sorted(sku_plan[schema.MONTH].unique())[:SOE_MONTHS]
        part = sku_plan[sku_plan[schema.MONTH].isin(first)]
        sku = part.groupby([schema.MONTH, schema.SKU, schema.FAMILY, schema.PLANT], as_index=False)[
            SKU_COLUMNS[4:]
        ].sum()
    return PlanSnapshot(
        pd.Timestamp(cycle),
        int(scenario_id),
        name,
        evaluation.levers.to_dict(),
        dataset_version,
        as_of,
        currency,
        dict(evaluation.kpis),
        dict(evaluation.budget),
        fp,
        plan.costs[["term", "label", "kind", "amount"]].copy(),
        evaluation.pnl[PNL_COLUMNS].copy(),
        sku,
        plan.policy.as_dict(),
    )
