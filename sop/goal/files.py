"""A goal file (TOML or JSON): the targets to meet and the levers allowed, read into a
`GoalSpec` and written back.

The format (docs/goal-seek.md)::

    [[targets]]
    metric = "revenue"        # see sop.supply.targets.METRICS
    at_least = 26553642       # or at_most = ...
    start = "2026-11"         # optional, YYYY-MM (default: the plan's first month)
    end = "2027-12"           # optional (default: the plan's last month)
    family = "Cooling"        # optional (default: the company)
    [levers.overtime]         # low / high default to the lever's whole range
    low = 0
    high = 200
    [levers.extra_capacity]
    high = 50
    cost_per_hour = 60
    lines = ["RS-ASM1"]       # optional (default: every line)
    [levers.price]
    low = -10
    high = 10
    families = ["Cooling"]    # optional (default: every family)
    [levers.promotion]        # one promotion, or none; low / high: its length, months
    low = 1
    high = 3
    uplift_pct = 20           # required: demand uplift in its months, %
    cost_per_month = 50000    # money per month it runs (default 0)
    families = ["Cooling"]    # optional (default: every family)
    [levers.supplier]         # supplier caps raised, % of today's (data price per unit)
    high = 100
    suppliers = ["CAP-CL-MOTOR"]  # optional (default: every supplier cap)
    [start]                   # optional: the scenario to start from (a levers file)
    scn_price_elasticity = -1.5

The file is read by `sop.core.configfile.parse` (size, encoding, BOM, keys given twice,
nesting). Then every entry is checked and every problem collected, so one run of the
command line lists all there is to fix: unknown names (each with the nearest known
name), numbers that are not finite numbers, ranges outside `sop.goal.spec.LEVERS`,
targets that `Target.problems` refuses. `GoalFileError.problems` holds the lines;
its message is them joined (`configfile.bounded`).

`file_text` writes a table as TOML or JSON (the standard library reads TOML but does
not write it), for goal files and for the levers file of an answer.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from pathlib import Path
from typing import Any

from sop.core import configfile
from sop.goal.spec import LEVERS, GoalSpec, LeverRange
from sop.scenario.levers import PREFIX, Levers
from sop.scenario.text import is_month
from sop.supply.targets import AT_LEAST, AT_MOST, METRICS, Target

WHAT = "targets file"
SECTIONS = ("targets", "levers", "start")
TARGET_FIELDS = ("metric", "at_least", "at_most", "start", "end", "family")
COST, LINES, FAMILIES, SUPPLIERS = "cost_per_hour", "lines", "families", "suppliers"
UPLIFT, COST_MONTH = "uplift_pct", "cost_per_month"  # the promotion's
# lever -> the fields it takes besides low and high
LEVER_EXTRAS: dict[str, tuple[str, ...]] = {
    "extra_capacity": (COST, LINES),
    "price": (FAMILIES,),
    "promotion": (UPLIFT, COST_MONTH, FAMILIES),
    "supplier": (SUPPLIERS,),
}
# lever -> the field holding the names it may act on (else FAMILIES)
NAMES_KEY = {"extra_capacity": LINES, "supplier": SUPPLIERS}
MAX_TARGETS = 100  # each target is a row of the LP; a person writes a handful


class GoalFileError(configfile.ConfigFileError):
    """A goal file that cannot be used; `problems` lists every reason, one a line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(configfile.bounded(problems))
        self.problems = problems


def _name(x: Any) -> str:
    return repr(configfile.clip(str(x), 60))


def _unknown(kind: str, name: Any, known: tuple[str, ...] | list[str]) -> str:
    """ "unknown lever 'overtme' (did you mean overtime?); known: ..."."""
    near = difflib.get_close_matches(str(name), list(known), n=1)
    hint = f" (did you mean {near[0]}?)" if near else ""
    return f"unknown {kind} {_name(name)}{hint}; known: {', '.join(known)}"


def _number(where: str, raw: Any, out: list[str]) -> float | None:
    """`raw` as a finite float; None (and a problem) when it is not one."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        out.append(f"{where}: {configfile.clip(repr(raw), 60)} is not a number")
        return None
    if not math.isfinite(raw):
        out.append(f"{where}: {raw!r} is not a finite number")
        return None
    return float(raw)


def _text(where: str, raw: Any, out: list[str]) -> str:
    if not isinstance(raw, str):
        out.append(f"{where}: {configfile.clip(repr(raw), 60)} is not text")
        return ""
    return raw


def _names(where: str, raw: Any, out: list[str]) -> tuple[str, ...]:
    """A list of names (one name given as text is a list of one)."""
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(x, str) and x for x in items):
        out.append(f'{where}: write a list of names, e.g. ["A", "B"]')
        return ()
    return tuple(dict.fromkeys(items))


def _target(i: int, raw: Any, out: list[str]) -> Target | None:
    where = f"target {i}"
    if not isinstance(raw, dict):
        out.append(f'{where}: write a table, e.g. {{metric = "revenue", at_least = 1000000}}')
        return None
    bad = len(out)
    for k in raw:
        if k not in TARGET_FIELDS:
            out.append(f"{where}: " + _unknown("field", k, TARGET_FIELDS))
    if "metric" not in raw:
        out.append(f"{where}: give its metric ({', '.join(METRICS)})")
    metric = _text(f"{where}.metric", raw.get("metric", ""), out)
    if metric and metric not in METRICS:
        out.append(f"{where}: " + _unknown("metric", metric, list(METRICS)))
    senses = [(s, k) for s, k in ((AT_LEAST, "at_least"), (AT_MOST, "at_most")) if k in raw]
    if len(senses) != 1:
        out.append(
            f"{where}: give exactly one of at_least or at_most"
            + (" (both are given)" if senses else "")
        )
    value = _number(f"{where}.{senses[0][1]}", raw[senses[0][1]], out) if senses else None
    parts = {k: _text(f"{where}.{k}", raw.get(k, ""), out) for k in ("family", "start", "end")}
    for k in ("start", "end"):
        if parts[k] and not is_month(parts[k]):
            out.append(f"{where}.{k}: {_name(parts[k])} is not a month (YYYY-MM)")
    if (
        metric not in METRICS
        or value is None
        or any(parts[k] and not is_month(parts[k]) for k in ("start", "end"))
    ):
        return None
    t = Target(metric, senses[0][0], value, **parts)
    out += [f"{where}: {why}" for why in t.problems()]
    return None if len(out) > bad else t


def _lever(name: str, raw: Any, out: list[str]) -> LeverRange | None:
    where = f"levers.{name}"
    if name not in LEVERS:
        out.append(_unknown("lever", name, list(LEVERS)))
        return None
    if not isinstance(raw, dict):
        out.append(f"{where}: write a table, e.g. [levers.{name}] with low = ... and high = ...")
        return None
    fields = ("low", "high", *LEVER_EXTRAS.get(name, ()))
    bad = len(out)
    for k in raw:
        if k not in fields:
            out.append(f"{where}: " + _unknown("field", k, fields))
    _, _, lo, hi, _ = LEVERS[name]
    low = _number(f"{where}.low", raw.get("low", lo), out)
    high = _number(f"{where}.high", raw.get("high", hi), out)
    cost_key = COST_MONTH if name == "promotion" else COST
    cost = _number(f"{where}.{cost_key}", raw.get(cost_key, 0.0), out)
    uplift = _number(f"{where}.{UPLIFT}", raw.get(UPLIFT, 0.0), out)
    no_uplift = name == "promotion" and UPLIFT not in raw
    if no_uplift:
        out.append(f"{where}: give {UPLIFT}, the demand uplift in the promotion's months (%)")
    key = NAMES_KEY.get(name, FAMILIES)
    names = _names(f"{where}.{key}", raw[key], out) if key in raw else ()
    if low is None or high is None or cost is None or uplift is None:
        return None
    lv = LeverRange(name, low, high, cost, names, uplift)
    out += [why for why in lv.problems() if not (no_uplift and "uplift" in why)]
    return None if len(out) > bad else lv


def _start(raw: Any, out: list[str]) -> Levers:
    if not isinstance(raw, dict):
        out.append("start: write a table of levers, e.g. [start] with scn_price_elasticity = -1.5")
        return Levers()
    if any(k in ("targets", PREFIX + "targets") for k in raw):
        out.append("start: write the targets as [[targets]] tables, not in [start]")
        raw = {k: v for k, v in raw.items() if k not in ("targets", PREFIX + "targets")}
    levers, errors = Levers.parse(raw)
    out += [f"start: {e}" for e in errors]
    if not errors:
        out += [f"start: {p}" for p in levers.problems()]
    return levers


def spec_from_dict(data: dict[str, Any]) -> GoalSpec:
    """A `GoalSpec` from a goal file's table; GoalFileError listing every problem."""
    out: list[str] = []
    for k in data:
        if k not in SECTIONS:
            out.append(_unknown("section", k, SECTIONS))
    raw_targets = data.get("targets", [])
    if isinstance(raw_targets, dict):  # one [targets] table instead of [[targets]]
        raw_targets = [raw_targets]
    targets: list[Target] = []
    if not isinstance(raw_targets, list):
        out.append("targets: write each target as a [[targets]] table")
    elif not raw_targets:
        out.append('no target: add a [[targets]] table, e.g. metric = "revenue", at_least = ...')
    elif len(raw_targets) > MAX_TARGETS:
        out.append(f"{len(raw_targets)} targets: at most {MAX_TARGETS} can be sought at once")
    else:
        for i, raw in enumerate(raw_targets, 1):
            if (t := _target(i, raw, out)) is not None:
                targets.append(t)
    raw_levers = data.get("levers", {})
    levers: list[LeverRange] = []
    if not isinstance(raw_levers, dict):
        out.append("levers: write one [levers.NAME] table per lever, e.g. [levers.overtime]")
    else:
        for name, raw in raw_levers.items():
            if (lv := _lever(str(name), raw, out)) is not None:
                levers.append(lv)
    start = _start(data["start"], out) if "start" in data else Levers()
    if out:
        raise GoalFileError(out)
    return GoalSpec(tuple(targets), tuple(levers), start)


def parse_goal(data: bytes | str, suffix: str) -> GoalSpec:
    """A `GoalSpec` from a goal file's bytes or text (`suffix` '.toml' or '.json');
    ConfigFileError (a ValueError) saying what to fix."""
    return spec_from_dict(configfile.parse(data, suffix, WHAT))


def read_goal(path: str | Path) -> GoalSpec:
    """A `GoalSpec` from a .toml or .json goal file (its size checked before reading)."""
    return parse_goal(configfile.read_bytes(path, WHAT), Path(path).suffix)


def spec_to_dict(spec: GoalSpec) -> dict[str, Any]:
    """A goal file's table (the format above) for `spec`: `spec_from_dict` reads it back."""
    targets = []
    for t in spec.targets:
        row: dict[str, Any] = {"metric": t.metric}
        row["at_least" if t.sense == AT_LEAST else "at_most"] = t.value
        row |= {k: getattr(t, k) for k in ("start", "end", "family") if getattr(t, k)}
        targets.append(row)
    levers: dict[str, Any] = {}
    for lv in spec.levers:
        row = {"low": lv.low, "high": lv.high}
        if lv.name == "extra_capacity":
            row[COST] = lv.cost
        if lv.name == "promotion":
            row |= {UPLIFT: lv.uplift, COST_MONTH: lv.cost}
        if lv.names:
            row[NAMES_KEY.get(lv.name, FAMILIES)] = list(lv.names)
        levers[lv.name] = row
    out: dict[str, Any] = {"targets": targets, "levers": levers}
    if start := spec.start.to_dict():
        out["start"] = start
    return out


def unknown_names(
    spec: GoalSpec,
    families: set[str],
    lines: set[str],
    months: list[str],
    suppliers: set[str] | None = None,
) -> list[str]:
    """Families, lines, supplier caps and months the goal names that the plan lacks (the
    dataset's `families`, `lines`, `suppliers` (None: not checked) and YYYY-MM plan
    `months`): such a target cannot be measured, such a lever would change nothing."""
    out = []
    lo, hi = (min(months), max(months)) if months else ("", "")
    for i, t in enumerate(spec.targets, 1):
        if t.family and t.family not in families:
            out.append(f"target {i}: " + _missing("family", t.family, families))
        elif months and ((t.end and t.end < lo) or (t.start and t.start > hi)):
            out.append(f"target {i}: {t.describe()} is outside the plan's months ({lo} to {hi})")
    for lv in spec.levers:
        known, kind = (lines, "line") if lv.name == "extra_capacity" else (families, "family")
        if lv.name == "supplier":
            if suppliers is None:
                continue
            known, kind = suppliers, "supplier cap"
        for n in lv.names:
            if n not in known:
                out.append(f"levers.{lv.name}: " + _missing(kind, n, known))
    return out


def _missing(kind: str, name: str, known: set[str]) -> str:
    near = difflib.get_close_matches(name, sorted(known), n=1)
    hint = f" (did you mean {near[0]}?)" if near else ""
    return f"there is no {kind} {_name(name)} in this dataset{hint}"


# --- writing -----------------------------------------------------------------------
_BARE = re.compile(r"[A-Za-z0-9_-]+")


def _key(k: str) -> str:
    return k if _BARE.fullmatch(k) else _string(k)


def _string(s: str) -> str:
    """A TOML basic string: quote, backslash and control characters escaped."""
    out = []
    for c in s:
        if c in '"\\':
            out.append("\\" + c)
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04X}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError(f"{v!r} cannot be written: not a finite number")
        return repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_key(str(k))} = {_value(x)}" for k, x in v.items()) + "}"
    raise ValueError(f"{type(v).__name__} cannot be written to TOML")


def _is_tables(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def _table(table: dict[str, Any], path: list[str], out: list[str]) -> None:
    for k, v in table.items():
        if not isinstance(v, dict) and not _is_tables(v):
            out.append(f"{_key(str(k))} = {_value(v)}")
    for k, v in table.items():
        sub = [*path, _key(str(k))]
        if isinstance(v, dict):
            if not v or not all(isinstance(x, dict) or _is_tables(x) for x in v.values()):
                out += ["", f"[{'.'.join(sub)}]"]  # else TOML makes it from its sub-tables
            _table(v, sub, out)
        elif _is_tables(v):
            for item in v:
                out += ["", f"[[{'.'.join(sub)}]]"]
                _table(item, sub, out)


def toml_text(data: dict[str, Any]) -> str:
    """`data` (texts, numbers, booleans, lists and tables) as TOML text."""
    out: list[str] = []
    _table(data, [], out)
    return "\n".join(out).lstrip("\n") + "\n"


def file_text(data: dict[str, Any], suffix: str) -> str:
    """`data` as the text of a .toml or .json file (ValueError for another suffix)."""
    suffix = suffix.lower()
    if suffix == ".toml":
        return toml_text(data)
    if suffix == ".json":
        return json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    raise ValueError(f"a file written here ends in .toml or .json, not {suffix!r}")


def spec_text(spec: GoalSpec, suffix: str = ".toml") -> str:
    """A goal file's text for `spec` (`parse_goal` reads it back)."""
    return file_text(spec_to_dict(spec), suffix)
