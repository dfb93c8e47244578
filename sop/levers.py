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
import json
import tomllib
from dataclasses import dataclass, field
from typing import Any

PREFIX = "scn_"
Pairs = tuple[tuple[str, float], ...]
CapacityChanges = tuple[tuple[str, str, str, float], ...]   # resource, from, to, %


def _f(default: Any, unit: str, lo: float | None, hi: float | None, help: str) -> Any:
    return field(default=default, metadata={"unit": unit, "min": lo, "max": hi, "help": help})


@dataclass(frozen=True)
class Levers:
    """What-if levers; every field documents its unit and range."""

    demand_pct: float = _f(0.0, "%", -100, 200, "Change of all demand.")
    demand_family_pct: Pairs = _f((), "%", -100, 200, "Demand change per family, on top "
                                  "of the overall change.")
    demand_region_pct: Pairs = _f((), "%", -100, 200, "Demand change per region, on top.")
    price_family_pct: Pairs = _f((), "%", -50, 100, "Price change per family (list and "
                                 "net price).")
    price_elasticity: float = _f(0.0, "ratio", -5, 0, "Demand response to a price change: "
                                 "demand x (1 + price change)^elasticity; 0 = demand fixed.")
    promo_family: str = _f("", "-", None, None, "Family of an added promotion ('' = none).")
    promo_start: str = _f("", "YYYY-MM", None, None, "First month of the added promotion.")
    promo_months: int = _f(1, "months", 1, 12, "Length of the added promotion.")
    promo_uplift_pct: float = _f(0.0, "%", 0, 300, "Demand uplift of the added promotion.")
    capacity_changes: CapacityChanges = _f((), "%", -100, 200, "Capacity change of a line "
                                           "over a month range (resource, from YYYY-MM, "
                                           "to YYYY-MM, %): +50 = an extra shift on two, "
                                           "-100 = shutdown.")
    overtime_allowed: bool = _f(True, "on/off", None, None, "Overtime may be worked.")
    overtime_cap_pct: float = _f(100.0, "% of today's caps", 0, 300, "Overtime caps of "
                                 "lines and workers, as % of the data's caps.")
    subcontract_allowed: bool = _f(True, "on/off", None, None, "Subcontract offers may be "
                                   "used.")
    subcontract_cap_pct: float = _f(100.0, "% of today's caps", 0, 500, "Subcontract "
                                    "monthly caps, as % of the data's caps.")
    hiring_allowed: bool = _f(True, "on/off", None, None, "Off = hiring freeze.")
    hiring_limit: float = _f(-1.0, "people/month", -1, 1000, "Hires per month per labour "
                             "pool; -1 = as in the data.")
    material_inflation_pct: float = _f(0.0, "%", -50, 100, "Change of material costs "
                                       "(and subcontract prices).")
    labour_cost_pct: float = _f(0.0, "%", -50, 100, "Change of hourly labour and line "
                                "costs (regular and overtime).")
    holding_cost_rate: float = _f(-1.0, "% of unit cost per year", -1, 100, "Inventory "
                                  "holding cost rate; -1 = as in the data.")
    safety_stock_months: float = _f(-1.0, "months of cover", -1, 12, "Safety stock for "
                                    "every SKU; -1 = as in the data.")

    # --- validation -------------------------------------------------------
    def problems(self) -> list[str]:
        """Out-of-range values, worded for a planner (empty when fine)."""
        out = []
        for f in dataclasses.fields(self):
            lo, hi, unit = f.metadata["min"], f.metadata["max"], f.metadata["unit"]
            value = getattr(self, f.name)
            values = ([v for _, v in value] if f.name.endswith("_pct") and isinstance(
                value, tuple) and f.name != "capacity_changes" else
                [c[3] for c in value] if f.name == "capacity_changes" else
                [value] if isinstance(value, (int, float)) and not isinstance(value, bool)
                else [])
            for v in values:
                if (lo is not None and v < lo) or (hi is not None and v > hi):
                    out.append(f"{PREFIX}{f.name} = {v:g} is outside {lo:g} .. {hi:g} {unit}")
        for res, start, end, _ in self.capacity_changes:
            if end < start:
                out.append(f"{PREFIX}capacity_changes for {res}: {end} is before {start}")
        if self.promo_family and not self.promo_start:
            out.append(f"{PREFIX}promo_start is needed for the promotion on "
                       f"{self.promo_family}")
        return out

    def moved(self) -> dict[str, Any]:
        """The levers that differ from the baseline, by name."""
        base = Levers()
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if getattr(self, f.name) != getattr(base, f.name)}

    def describe(self) -> str:
        """A one-line summary of what moved ('baseline' when nothing)."""
        moved = self.moved()
        if not moved:
            return "baseline"
        return "; ".join(f"{k} {_fmt_value(v)}" for k, v in moved.items())

    # --- files, JSON, URLs --------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON/TOML-able dict with `scn_` names; only moved levers."""
        return {PREFIX + k: _encode(v) for k, v in self.moved().items()}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)

    def to_query(self) -> dict[str, str]:
        """URL query parameters (strings) for the moved levers."""
        return {k: v if isinstance(v, str) else _to_text(v) for k, v in self.to_dict().items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Levers:
        """Levers from `scn_` (or bare) names; raises ValueError naming a bad entry."""
        kinds = {f.name: f for f in dataclasses.fields(cls)}
        kwargs: dict[str, Any] = {}
        for raw_key, raw in data.items():
            key = raw_key[len(PREFIX):] if raw_key.startswith(PREFIX) else raw_key
            if key not in kinds:
                raise ValueError(f"unknown lever {raw_key!r}; levers are: "
                                 f"{', '.join(PREFIX + k for k in kinds)}")
            try:
                kwargs[key] = _decode(key, kinds[key].default, raw)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"lever {raw_key!r}: cannot read {raw!r} ({exc})") from exc
        return cls(**kwargs)

    @classmethod
    def from_query(cls, params: dict[str, str]) -> Levers:
        """Levers from URL query parameters; other parameters are ignored."""
        return cls.from_dict({k: v for k, v in params.items() if k.startswith(PREFIX)})

    @classmethod
    def from_file_text(cls, text: str, suffix: str) -> Levers:
        """Levers from a TOML or JSON file's text (suffix '.toml' or '.json')."""
        data = tomllib.loads(text) if suffix.lower() == ".toml" else json.loads(text)
        if isinstance(data.get("levers"), dict):
            data = data["levers"]
        return cls.from_dict(data)


def lever_help() -> dict[str, dict[str, Any]]:
    """name -> unit, min, max, help and default, for pages and docs."""
    return {f.name: {**f.metadata, "default": f.default} for f in dataclasses.fields(Levers)}


def _fmt_value(v: Any) -> str:
    if isinstance(v, tuple):
        return _to_text(_encode(v))
    if isinstance(v, bool):
        return "on" if v else "off"
    return f"{v:+g}" if isinstance(v, float) else str(v)


def _encode(v: Any) -> Any:
    if isinstance(v, tuple) and v and len(v[0]) == 2:
        return {k: x for k, x in v}
    if isinstance(v, tuple):
        return [list(x) for x in v]
    return v


def _to_text(v: Any) -> str:
    if isinstance(v, dict):
        return ",".join(f"{k}:{x:g}" for k, x in v.items())
    if isinstance(v, list):
        return ",".join(":".join(str(p) if not isinstance(p, float) else f"{p:g}" for p in x)
                        for x in v)
    if isinstance(v, bool):
        return "1" if v else "0"
    return f"{v:g}" if isinstance(v, float) else str(v)


def _decode(key: str, default: Any, raw: Any) -> Any:
    if isinstance(default, bool):
        if isinstance(raw, str):
            if raw.lower() in ("1", "true", "on", "yes"):
                return True
            if raw.lower() in ("0", "false", "off", "no"):
                return False
            raise ValueError("use true/false")
        return bool(raw)
    if key == "capacity_changes":
        items = raw if isinstance(raw, list) else [p.split(":") for p in str(raw).split(",")
                                                   if p]
        return tuple((str(r), str(a), str(b), float(p)) for r, a, b, p in items)
    if isinstance(default, tuple):
        items = raw.items() if isinstance(raw, dict) else (
            p.rsplit(":", 1) for p in str(raw).split(",") if p)
        return tuple(sorted((str(k), float(v)) for k, v in items))
    if isinstance(default, int) and not isinstance(default, bool):
        return int(float(raw))
    if isinstance(default, float):
        return float(raw)
    return str(raw)
