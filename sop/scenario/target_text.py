"""The `targets` lever as text and its checks: files, URLs, summaries, problems.

A scenario's targets (`sop.supply.targets.Target`) are written:
- in JSON / TOML files and saved scenarios: a list of tables
  {metric, sense (">=" or "<="), value, family?, start?, end?} (empty parts left out);
- in a URL value: `metric:sense:value:family:start:end` entries separated by `,`,
  trailing empty parts left out; every text part is escaped with
  `sop.scenario.text.name_text`, so any family name survives a link.

`encode_value`, `value_text`, `value_label` and `decode_value` do this for the
`targets` lever and hand every other lever to `sop.scenario.text`, so
`sop.scenario.levers` calls one function per step whatever the lever.
`target_issues` and `unknown_targets` say what makes a target unusable, worded for a
planner, for `Levers.problems` / `Levers.unknown_names` / `Levers.without_bad`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from sop.scenario import text
from sop.scenario.text import exact, is_month, name_of, name_text
from sop.supply.targets import Target

TARGETS = "targets"
PARTS = ("metric", "sense", "value", "family", "start", "end")
TARGET_FORMAT = "metric:sense:value[:family[:from[:to]]] (e.g. on_time_rate:>=:0.98)"
Targets = tuple[Target, ...]


def encode_targets(targets: Iterable[Target]) -> list[dict[str, Any]]:
    """JSON/TOML-able: one table per target, empty family / months left out."""
    out = []
    for t in targets:
        row: dict[str, Any] = {"metric": t.metric, "sense": t.sense, "value": t.value}
        row |= {k: getattr(t, k) for k in PARTS[3:] if getattr(t, k)}
        out.append(row)
    return out


def targets_text(targets: Iterable[Target]) -> str:
    """A URL parameter's text: `metric:sense:value:family:start:end`, `,`-separated,
    text parts escaped (`name_text`), numbers exact, trailing empty parts left out."""
    entries = []
    for t in targets:
        parts = [name_text(str(t.metric)), name_text(str(t.sense)), exact(t.value)]
        parts += [name_text(str(getattr(t, k))) for k in PARTS[3:]]
        while len(parts) > 3 and not parts[-1]:
            parts.pop()
        entries.append(":".join(parts))
    return ",".join(entries)


def target_label(t: Target) -> str:
    """One target in `Levers.describe`: 'revenue >= 26553642.5 for Cooling, 2027-01 to
    2027-06' (numbers exact, so the summary says what the scenario holds)."""
    out = f"{t.metric} {t.sense} {exact(t.value) if math.isfinite(t.value) else t.value}"
    if t.family:
        out += f" for {t.family}" + ("," if t.start or t.end else "")
    if t.start or t.end:
        out += f" {t.start or 'start'} to {t.end or 'end'}"
    return out


def _target(raw: Any) -> Target:
    """One target from a table or a URL entry; ValueError saying why not."""
    if isinstance(raw, str):
        parts = [name_of(p) for p in raw.split(":")]
        if not 3 <= len(parts) <= len(PARTS):
            raise ValueError(f"{text.shown(raw)} is not {TARGET_FORMAT}")
        raw = dict(zip(PARTS, parts))
    if not isinstance(raw, dict):
        raise ValueError(f"{text.shown(raw)} is not a target table ({', '.join(PARTS)})")
    if unknown := [str(k) for k in raw if k not in PARTS]:
        raise ValueError(
            f"{text.shown(unknown[0])} is not a part of a target (known: {', '.join(PARTS)})"
        )
    if missing := [k for k in PARTS[:3] if k not in raw]:
        raise ValueError(f"a target needs {', '.join(missing)} ({TARGET_FORMAT})")
    texts = {k: raw.get(k, "") for k in PARTS if k != "value"}
    if bad := [k for k, v in texts.items() if not isinstance(v, str)]:
        raise ValueError(f"{bad[0]} {text.shown(texts[bad[0]])} is not text")
    return Target(value=text.read_number(raw["value"]), **texts)


def decode_targets(raw: Any) -> tuple[Targets, list[str]]:
    """(the readable targets, why each other entry was left out: ": ..." or
    " for target 2: ..."). A list of tables (files, JSON) or of URL entries, or one
    URL value of `,`-separated entries."""
    if isinstance(raw, str):
        items: list[Any] = [p for p in raw.split(",") if p]
    elif isinstance(raw, (list, tuple)):
        items = list(raw)
    elif isinstance(raw, dict):
        items = [raw]
    else:
        return (), [f": {text.shown(raw)} is not a list of targets ({TARGET_FORMAT})"]
    out, bad = [], []
    for i, item in enumerate(items, 1):
        if isinstance(item, Target):
            out.append(item)
            continue
        try:
            out.append(_target(item))
        except ValueError as exc:
            bad.append(f" for target {i}: {exc}")
    return tuple(out), bad


def target_issues(targets: Targets) -> list[tuple[str, Any, str, bool]]:
    """(lever, target, why, fatal=True) for every target that cannot be used: its own
    `Target.problems()` (an unknown metric, a sense or value the metric does not take,
    a family on a company-only figure, a range ending before it starts) and months
    that are not YYYY-MM."""
    out: list[tuple[str, Any, str, bool]] = []
    for t in targets:
        bad = [m for m in (t.start, t.end) if m and not is_month(m)]
        whys = [f"{t.metric}: {bad[0]!r} is not a month (YYYY-MM)"] if bad else []
        whys += [w for w in t.problems() if not (bad and " is before " in w)]
        out += [(TARGETS, t, f"scn_{TARGETS}: {why}", True) for why in whys]
    return out


def unknown_targets(
    targets: Targets, families: set[str], months: list[str]
) -> list[tuple[str, Any, str]]:
    """(lever, target, why) for targets on a family the dataset lacks, and (when the
    plan's YYYY-MM `months` are given) targets wholly outside them: the plan cannot
    measure such a target."""
    out = []
    name = f"scn_{TARGETS}"
    lo, hi = (min(months), max(months)) if months else ("", "")
    for t in targets:
        if t.family and t.family not in families:
            out.append((TARGETS, t, f"{name}: there is no family {t.family!r} in this dataset"))
        elif months and ((t.end and t.end < lo) or (t.start and t.start > hi)):
            out.append(
                (
                    TARGETS,
                    t,
                    f"{name}: {target_label(t)} is outside the plan's months ({lo} to {hi})",
                )
            )
    return out


# --- every lever: targets here, the rest in sop.scenario.text ------------------------
def encode_value(key: str, v: Any) -> Any:
    """A lever's value as JSON/TOML (`sop.scenario.text.encode`, targets as tables)."""
    return encode_targets(v) if key == TARGETS else text.encode(v)


def value_text(key: str, v: Any) -> str:
    """A lever value as a URL parameter's text (`sop.scenario.text.to_text`)."""
    return targets_text(v) if key == TARGETS else text.to_text(text.encode(v))


def value_label(key: str, v: Any) -> str:
    """A lever value in `Levers.describe` (`sop.scenario.text.fmt_value`)."""
    return " & ".join(target_label(t) for t in v) if key == TARGETS else text.fmt_value(v)


def decode_value(key: str, default: Any, raw: Any) -> tuple[Any, list[str]]:
    """A lever's value read from a file, JSON or URL (`sop.scenario.text.decode`)."""
    return decode_targets(raw) if key == TARGETS else text.decode(key, default, raw)
