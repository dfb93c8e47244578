"""Scenario levers: one frozen, hashable set of what-if settings.

A `Levers` value is at once a cache key, a saved-scenario record (JSON), a
levers file for `python -m sop scenario` (TOML or JSON) and a URL query string.
The names in files and URLs are the Scenarios page's widget keys
(`scn_<field>`). The baseline is `Levers()`: nothing moved.

Per-family / per-region levers are tuples of (name, value) pairs so the
dataclass stays hashable; in files, URLs and JSON they are written as
`Cooling:5,Heating:-3` or as a {name: value} table.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sop.core import configfile
from sop.core.months import add_months, month_text
from sop.core.schema import ALL_SUPPLIERS  # a supplier change's name for every supplier cap
from sop.scenario.target_text import (
    Targets,
    decode_value,
    encode_value,
    target_issues,
    unknown_targets,
    value_label,
    value_text,
)
from sop.scenario.text import CHANGE_FORMAT, CapacityChanges, Pairs, is_month, number_text, numbers

PREFIX = "scn_"
PAIR_FIELDS = ("demand_family_pct", "demand_region_pct", "price_family_pct", "ending_units")
PROMO_FIELDS = ("promo_family", "promo_start", "promo_months", "promo_uplift_pct", "promo_cost")


def _f(default: Any, unit: str, lo: float | None, hi: float | None, help: str) -> Any:
    return field(default=default, metadata={"unit": unit, "min": lo, "max": hi, "help": help})


@dataclass(frozen=True)
class Levers:
    """What-if levers; every field documents its unit and range."""

    demand_pct: float = _f(0.0, "%", -100, 200, "Change of all demand.")
    demand_family_pct: Pairs = _f(
        (), "%", -100, 200, "Demand change per family, on top of the overall change."
    )
    demand_region_pct: Pairs = _f((), "%", -100, 200, "Demand change per region, on top.")
    price_family_pct: Pairs = _f((), "%", -50, 100, "Price change per family (list and net price).")
    price_elasticity: float = _f(
        0.0,
        "ratio",
        -5,
        0,
        "Demand response to a price change: "
        "demand x (1 + price change)^elasticity; 0 = demand fixed.",
    )
    promo_family: str = _f("", "-", None, None, "Family of an added promotion ('' = none).")
    promo_start: str = _f("", "YYYY-MM", None, None, "First month of the added promotion.")
    promo_months: int = _f(1, "months", 1, 12, "Length of the added promotion.")
    promo_uplift_pct: float = _f(0.0, "%", 0, 300, "Demand uplift of the added promotion.")
    promo_cost: float = _f(
        0.0,
        "money/month",
        0,
        1_000_000_000,
        "Cost of the added promotion per month it runs (trade spend, displays); booked in "
        "the P&L of the promoted family",
    )
    capacity_changes: CapacityChanges = _f(
        (),
        "%",
        -100,
        200,
        "Capacity change of a line "
        "over a month range (resource, from YYYY-MM, "
        "to YYYY-MM, %): +50 = an extra shift on two, "
        "-100 = shutdown.",
    )
    supplier_changes: CapacityChanges = _f(
        (),
        "%",
        -100,
        200,
        "Change of a supplier's monthly cap (a material cap of the data) over a month "
        f"range (supplier or {ALL_SUPPLIERS!r}, from YYYY-MM, to YYYY-MM, %): -50 = it "
        "ships half, -100 = it ships nothing.",
    )
    overtime_allowed: bool = _f(True, "on/off", None, None, "Overtime may be worked.")
    overtime_cap_pct: float = _f(
        100.0,
        "% of today's caps",
        0,
        300,
        "Overtime caps of lines and workers, as % of the data's caps.",
    )
    subcontract_allowed: bool = _f(True, "on/off", None, None, "Subcontract offers may be used.")
    subcontract_cap_pct: float = _f(
        100.0, "% of today's caps", 0, 500, "Subcontract monthly caps, as % of the data's caps."
    )
    hiring_allowed: bool = _f(True, "on/off", None, None, "Off = hiring freeze.")
    hiring_limit: float = _f(
        -1.0, "people/month", -1, 1000, "Hires per month per labour pool; -1 = as in the data."
    )
    material_inflation_pct: float = _f(
        0.0, "%", -50, 100, "Change of material costs (and subcontract prices)."
    )
    labour_cost_pct: float = _f(
        0.0, "%", -50, 100, "Change of hourly labour and line costs (regular and overtime)."
    )
    holding_cost_rate: float = _f(
        -1.0,
        "% of unit cost per year",
        -1,
        100,
        "Inventory holding cost rate; -1 = as in the data.",
    )
    safety_stock_months: float = _f(
        -1.0, "months of cover", -1, 12, "Safety stock for every SKU; -1 = as in the data."
    )
    ending_units: Pairs = _f(
        (),
        "units",
        0,
        10_000_000,
        "Minimum stock per family at the end of the horizon; when given, it replaces the "
        "plan settings' ending inventory (families not named: no minimum).",
    )
    added_hour_cost: float = _f(
        0.0,
        "money/hour",
        0,
        100_000,
        "Cost of each line hour a positive capacity change adds (paid whether the hour is "
        "used or not); 0 = free.",
    )
    targets: Targets = _f(
        (),
        "-",
        None,
        None,
        "Targets the scenario's plan must meet (set by the Goal tab or a targets file)",
    )

    # --- validation -------------------------------------------------------
    def _issues(self) -> list[tuple[str, Any, str, bool]]:
        """(field, bad entry or None, why, fatal) for every problem; fatal = the value
        cannot be used at all (not a number, not a month, a range ending before it
        starts); not fatal = outside the lever's range (a page may clamp it)."""
        out: list[tuple[str, Any, str, bool]] = []
        for f in dataclasses.fields(self):
            lo, hi, unit = f.metadata["min"], f.metadata["max"], f.metadata["unit"]
            for entry, v in numbers(f.name, getattr(self, f.name)):
                name = f"{PREFIX}{f.name}" + (f" for {entry[0]}" if entry else "")
                if not math.isfinite(v):
                    out.append((f.name, entry, f"{name}: {v!r} is not a number", True))
                elif lo == -1 and v < 0 and v != -1:  # only -1 means "as in the data"
                    why = f"{name} = {number_text(v)} cannot be negative (-1 = as in the data)"
                    out.append((f.name, entry, why, True))
                elif (lo is not None and v < lo) or (hi is not None and v > hi):
                    out.append(
                        (
                            f.name,
                            entry,
                            f"{name} = {number_text(v)} is outside "
                            f"{number_text(lo)} .. {number_text(hi)} {unit}",
                            False,
                        )
                    )
        for name in PAIR_FIELDS:
            seen: set[str] = set()
            for entry in getattr(self, name):
                if entry[0] in seen:
                    out.append(
                        (name, entry, f"{PREFIX}{name}: {entry[0]!r} is given more than once", True)
                    )
                seen.add(entry[0])
        for name in CHANGE_FORMAT:
            for entry in getattr(self, name):
                res, start, end, _ = entry
                bad = [f"{m!r} is not a month (YYYY-MM)" for m in (start, end) if not is_month(m)]
                if bad or end < start:
                    why = f"{PREFIX}{name} for {res}: {(bad or [f'{end} is before {start}'])[0]}"
                    out.append((name, entry, why, True))
        promo = f"{PREFIX}promo_start"
        if self.promo_start and not is_month(self.promo_start):
            why = f"{promo}: {self.promo_start!r} is not a month (YYYY-MM)"
            out.append(("promo_start", None, why, True))
        if self.promo_family and not self.promo_start:
            why = f"{promo} is needed for the promotion on {self.promo_family}"
            out.append(("promo_start", None, why, True))
        return out + target_issues(self.targets)

    def problems(self) -> list[str]:
        """What is wrong with these levers, worded for a planner (empty when fine): numbers
        that are not finite or are outside a lever's range, months that are not YYYY-MM
        calendar months, ranges ending before they start, names given twice."""
        return [why for *_, why, _ in self._issues()]

    def unknown_names(
        self,
        families: Iterable[str],
        regions: Iterable[str],
        resources: Iterable[str],
        months: Iterable[str] = (),
        suppliers: Iterable[str] | None = None,
    ) -> list[str]:
        """Families, regions, line resources and (when given) supplier caps these levers
        name that the dataset does not have, and (when the plan's YYYY-MM `months` are
        given) capacity and supplier changes, promotions and targets wholly outside
        them: such a lever changes nothing (a target there cannot be measured). Worded
        for a planner."""
        sets = (set(families), set(regions), set(resources), list(months))
        return [why for *_, why in self._unknown(*sets, suppliers)]

    def _unknown(
        self,
        families: set[str],
        regions: set[str],
        resources: set[str],
        months: list[str],
        suppliers: Iterable[str] | None = None,
    ) -> list[tuple[str, Any, str]]:
        known = {
            "demand_family_pct": ("family", families),
            "price_family_pct": ("family", families),
            "ending_units": ("family", families),
            "demand_region_pct": ("region", regions),
            "capacity_changes": ("line", resources),
        }
        if suppliers is not None:  # every supplier: only where there is one
            caps = set(suppliers)
            known["supplier_changes"] = ("supplier cap", caps | ({ALL_SUPPLIERS} if caps else caps))
        out = []
        for name, (what, names) in known.items():
            for entry in getattr(self, name):
                if entry[0] not in names:
                    out.append(
                        (
                            name,
                            entry,
                            f"{PREFIX}{name}: there is no {what} {entry[0]!r} in this dataset",
                        )
                    )
        if self.promo_family and self.promo_family not in families:
            out.append(
                (
                    "promo_family",
                    None,
                    f"{PREFIX}promo_family: there is no family "
                    f"{self.promo_family!r} in this dataset",
                )
            )
        out += unknown_targets(self.targets, families, months)
        if not months:
            return out
        lo, hi = min(months), max(months)
        plan = f"the plan's months ({lo} to {hi})"
        for name in CHANGE_FORMAT:
            unknown = {o[1] for o in out if o[0] == name}
            for entry in getattr(self, name):
                res, a, b, _ = entry
                if entry not in unknown and is_month(a) and is_month(b) and (b < lo or a > hi):
                    why = f"{PREFIX}{name} for {res}: {a} to {b} is outside {plan}"
                    out.append((name, entry, why))
        if self.promo_family and is_month(self.promo_start):
            end = month_text(add_months(self.promo_start, self.promo_months - 1))
            if end < lo or self.promo_start > hi:
                out.append(
                    (
                        "promo_start",
                        None,
                        f"{PREFIX}promo_start: the promotion "
                        f"({self.promo_start} to {end}) is outside {plan}",
                    )
                )
        return out

    def without_bad(
        self,
        families: Iterable[str] | None = None,
        regions: Iterable[str] | None = None,
        resources: Iterable[str] | None = None,
        months: Iterable[str] = (),
        suppliers: Iterable[str] | None = None,
    ) -> tuple[Levers, list[str]]:
        """(these levers without every entry that cannot be used, why each was left out).

        Left out: numbers that are not finite, months that are not YYYY-MM, ranges
        ending before they start, a name given twice (the first is kept), and, when the
        dataset's names are given, families, regions, lines and (when given) supplier
        caps it does not have (and what lies wholly outside the plan's `months`, see
        `unknown_names`). A bad scalar goes back to its baseline value; a bad promotion
        is dropped whole. Out-of-range numbers are kept (see `clamped`)."""
        drop = [(n, e, why) for n, e, why, fatal in self._issues() if fatal]
        if families is not None and regions is not None and resources is not None:
            sets = (set(families), set(regions), set(resources), list(months))
            drop += self._unknown(*sets, suppliers)
        base, changes, reasons = Levers(), {}, []
        for name, entry, why in drop:
            reasons.append(why)
            if name.startswith("promo_"):
                changes |= {k: getattr(base, k) for k in PROMO_FIELDS}
            elif entry is None:
                changes[name] = getattr(base, name)
            else:
                kept = list(changes.get(name, getattr(self, name)))
                if entry in kept:
                    del kept[len(kept) - 1 - kept[::-1].index(entry)]  # the later one
                changes[name] = tuple(kept)
        return dataclasses.replace(self, **changes), reasons

    def clamped(self) -> Levers:
        """These levers with every finite number moved into its lever's range."""
        changes: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            lo, hi = f.metadata["min"], f.metadata["max"]
            value = getattr(self, f.name)
            if lo is None or isinstance(value, (bool, str)):
                continue

            def clamp(v: float, lo: float = lo, hi: float = hi) -> float:
                return min(max(v, lo), hi) if math.isfinite(v) else v

            if f.name in CHANGE_FORMAT:
                changes[f.name] = tuple((*c[:3], float(clamp(c[3]))) for c in value)
            elif isinstance(value, tuple):
                changes[f.name] = tuple((k, float(clamp(v))) for k, v in value)
            else:
                changes[f.name] = type(value)(clamp(value))
        return dataclasses.replace(self, **changes)

    def moved(self) -> dict[str, Any]:
        """The levers that differ from the baseline, by name."""
        base = Levers()
        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if getattr(self, f.name) != getattr(base, f.name)
        }

    def describe(self) -> str:
        """A one-line summary of what moved ('baseline' when nothing)."""
        moved = self.moved()
        if not moved:
            return "baseline"
        return "; ".join(f"{k} {value_label(k, v)}" for k, v in moved.items())

    # --- files, JSON, URLs --------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON/TOML-able dict with `scn_` names; only moved levers."""
        return {PREFIX + k: encode_value(k, v) for k, v in self.moved().items()}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)

    def to_query(self) -> dict[str, str]:
        """URL query parameters (strings) for the moved levers."""
        return {PREFIX + k: value_text(k, v) for k, v in self.moved().items()}

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> tuple[Levers, list[str]]:
        """(levers from every readable entry of `scn_` (or bare) names, one line per
        entry that cannot be read, e.g. "scn_demand_pct: 'abc' is not a number").

        Readable is not valid: check `problems()` too."""
        kinds = {f.name: f for f in dataclasses.fields(cls)}
        kwargs: dict[str, Any] = {}
        errors: list[str] = []
        for raw_key, raw in data.items():
            key = raw_key[len(PREFIX) :] if raw_key.startswith(PREFIX) else raw_key
            if key not in kinds:
                near = difflib.get_close_matches(key, list(kinds), n=1)
                errors.append(
                    f"unknown lever {configfile.clip(str(raw_key), 60)!r}"
                    + (f" (did you mean {PREFIX}{near[0]}?)" if near else "")
                )
                continue
            value, bad = decode_value(key, kinds[key].default, raw)
            kwargs[key] = value
            errors += [f"{PREFIX}{key}{why}" for why in bad]
        return cls(**kwargs), errors

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Levers:
        """Levers from `scn_` (or bare) names; raises ValueError naming every bad entry."""
        levers, errors = cls.parse(data)
        if errors:
            raise ValueError(configfile.bounded(errors))
        return levers

    @classmethod
    def from_query(cls, params: dict[str, str]) -> Levers:
        """Levers from URL query parameters; other parameters are ignored."""
        return cls.from_dict({k: v for k, v in params.items() if k.startswith(PREFIX)})

    @classmethod
    def from_file_text(cls, text: str | bytes, suffix: str) -> Levers:
        """Levers from a TOML or JSON file's text or bytes (suffix '.toml' or '.json'),
        read by `sop.core.configfile.parse` (size, BOM, keys given twice, nesting)."""
        data = configfile.parse(text, suffix)
        if isinstance(data.get("levers"), dict):
            data = data["levers"]
        return cls.from_dict(data)


def lever_help() -> dict[str, dict[str, Any]]:
    """name -> unit, min, max, help and default, for pages and docs."""
    return {f.name: {**f.metadata, "default": f.default} for f in dataclasses.fields(Levers)}
