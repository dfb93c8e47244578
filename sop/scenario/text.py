"""Reading and writing lever values as text: URL parameters, JSON and TOML values.

`decode` reads one lever's raw value and says why any part of it cannot be read;
`encode`/`to_text` write values back; `is_month` and `numbers` check what was read.
Used by `sop.scenario.levers` (through `sop.scenario.target_text`, which writes
and reads the `targets` lever) only.
"""

from __future__ import annotations

import math
import re
from typing import Any

Pairs = tuple[tuple[str, float], ...]
CapacityChanges = tuple[tuple[str, str, str, float], ...]  # resource, from, to, %
CAPACITY_FORMAT = "line:from:to:% (e.g. RS-ASM1:2027-06:2027-07:50)"
SUPPLIER_FORMAT = "supplier:from:to:% (e.g. CAP-CL-MOTOR:2027-03:2027-12:-50)"
# levers of (name, from, to, %) changes over month ranges, and how each is written
CHANGE_FORMAT = {"capacity_changes": CAPACITY_FORMAT, "supplier_changes": SUPPLIER_FORMAT}
PAIR_FORMAT = {"ending_units": ("name:units", "Cooling:500,Heating:200")}  # else name:%
# a calendar month of the years data may hold (sop.data.columns.YEAR_RANGE, 1900-2200)
MONTH = re.compile(r"(19\d\d|2[01]\d\d|2200)-(0[1-9]|1[0-2])")


def is_month(text: object) -> bool:
    """True for a YYYY-MM calendar month of 1900-2200 ('2027-06'; not '2099-13',
    '2027-6' or '9999-12')."""
    return isinstance(text, str) and MONTH.fullmatch(text) is not None


def numbers(name: str, value: Any) -> list[tuple[tuple | None, float]]:
    """(entry or None, number) of every number a lever holds (targets: none, their
    values are checked by `sop.scenario.target_text.target_issues`)."""
    if name == "targets":
        return []
    if name in CHANGE_FORMAT:
        return [(c, float(c[3])) for c in value]
    if isinstance(value, tuple):
        return [(p, float(p[1])) for p in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [(None, float(value))]
    return []


def number_text(v: float) -> str:
    """A lever's number in a message: 10000000, not 1e+07; 1.5 as 1.5."""
    return f"{v:.0f}" if float(v).is_integer() and abs(v) < 1e15 else f"{v:g}"


# in a URL value `,` separates entries and `:` the parts of one: in a name they (and
# `%`, the escape itself) are written as %2C, %3A, %25, so any name survives a link
_NAME_ESCAPES = {"%": "%25", ",": "%2C", ":": "%3A"}
_ESCAPED = re.compile("%(25|2C|3A)", re.IGNORECASE)


def name_text(name: str) -> str:
    """A name inside a URL value: `%`, `,` and `:` escaped (see `name_of`)."""
    return "".join(_NAME_ESCAPES.get(c, c) for c in name)


def name_of(text: str) -> str:
    """The name `name_text` wrote (other text, e.g. an old link's, as it is)."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


def exact(x: float) -> str:
    """A number as text that reads back as the same number: 5, 2.5, 1234567, 0.1."""
    x = float(x)
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


def fmt_value(v: Any) -> str:
    """A lever value in `Levers.describe`: +10, on/off, Cooling:5,Heating:-3."""
    if isinstance(v, tuple):
        return to_text(encode(v), names=False)
    if isinstance(v, bool):
        return "on" if v else "off"
    return f"{v:+g}" if isinstance(v, float) else str(v)


def encode(v: Any) -> Any:
    """JSON/TOML-able: pairs as {name: value}, capacity changes as lists."""
    if isinstance(v, tuple) and v and len(v[0]) == 2:
        return {k: x for k, x in v}
    if isinstance(v, tuple):
        return [list(x) for x in v]
    return v


def to_text(v: Any, names: bool = True) -> str:
    """An encoded value as a URL parameter's text: numbers exactly, names escaped
    (`name_text`; `names=False`: as they are, for reading)."""
    esc = name_text if names else str
    if isinstance(v, dict):
        return ",".join(f"{esc(k)}:{exact(x)}" for k, x in v.items())
    if isinstance(v, list):
        return ",".join(":".join(esc(p) if isinstance(p, str) else exact(p) for p in x) for x in v)
    if isinstance(v, bool):
        return "1" if v else "0"
    return exact(v) if isinstance(v, float) else str(v)


def read_number(raw: Any, whole: bool = False) -> float:
    """A finite number from text or a number; ValueError saying why not."""
    try:
        v = float(raw) if not isinstance(raw, bool) else float("nan")
    except (TypeError, ValueError):
        v = float("nan")
    if not math.isfinite(v):
        raise ValueError(f"{shown(raw)} is not a number")
    if whole and v != int(v):
        raise ValueError(f"{shown(raw)} is not a whole number")
    return v


def shown(raw: Any) -> str:
    text = str(raw)
    return repr(text if len(text) <= 40 else text[:39] + "…")


def decode(key: str, default: Any, raw: Any) -> tuple[Any, list[str]]:
    """(value, why each unreadable part was left out, as ": 'abc' is not a number" or
    " for Cooling: ..."); a scalar that cannot be read keeps its default, a list keeps
    its readable entries."""
    try:
        if isinstance(default, bool):
            if isinstance(raw, bool):
                return raw, []
            if str(raw).lower() in ("1", "true", "on", "yes"):
                return True, []
            if str(raw).lower() in ("0", "false", "off", "no"):
                return False, []
            raise ValueError(f"{shown(raw)} is not on/off (use 1 or 0)")
        if key in CHANGE_FORMAT:
            return _decode_capacity(raw, CHANGE_FORMAT[key])
        if isinstance(default, tuple):
            return _decode_pairs(raw, *PAIR_FORMAT.get(key, ("name:%", "Cooling:5,Heating:-3")))
        if isinstance(default, int):
            return int(read_number(raw, whole=True)), []
        if isinstance(default, float):
            return read_number(raw), []
        if not isinstance(raw, str):
            raise ValueError(f"{shown(raw)} is not text")
        return raw, []
    except ValueError as exc:
        return default, [f": {exc}"]


def _decode_capacity(raw: Any, form: str) -> tuple[CapacityChanges, list[str]]:
    items = raw if isinstance(raw, list) else [p.split(":") for p in str(raw).split(",") if p]
    out, bad = [], []
    for item in items:
        try:
            if not isinstance(item, (list, tuple)) or len(item) != 4:
                raise ValueError
            r, a, b, p = item
            r = r if isinstance(raw, list) else name_of(r)
            out.append((str(r), str(a), str(b), read_number(p)))
        except ValueError:
            text = ":".join(map(str, item)) if isinstance(item, (list, tuple)) else item
            bad.append(f": {shown(text)} is not {form}")
    return tuple(out), bad


def _decode_pairs(raw: Any, form: str, example: str) -> tuple[Pairs, list[str]]:
    if isinstance(raw, dict):
        items = list(raw.items())
    elif isinstance(raw, (str, int, float)):
        items = [
            (name_of(p.rsplit(":", 1)[0]), p.rsplit(":", 1)[1]) if ":" in p else (p, None)
            for p in str(raw).split(",")
            if p
        ]
    else:
        return (), [f": {shown(raw)} is not {form} pairs (e.g. {example})"]
    out, bad = [], []
    for k, v in items:
        if v is None:
            bad.append(f": {shown(k)} is not {form} (e.g. {example.split(',')[0]})")
            continue
        try:
            out.append((str(k), read_number(v)))
        except ValueError as exc:
            bad.append(f" for {k}: {exc}")
    return tuple(sorted(out)), bad
