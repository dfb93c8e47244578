"""Small settings files a person writes (levers, targets) read as one table, safely.

`read_file` / `parse` turn a TOML or JSON file into a dict or raise `ConfigFileError`
(a ValueError) with a short message a planner can act on. What is refused, and why:

- more than `MAX_BYTES` (1 MB): a levers or targets file is a few lines; a larger one
  is a mistake (and is refused before it is read whole);
- text that is not UTF-8 (a UTF-8 byte-order mark, as Windows editors write it, is
  accepted in both formats);
- a key given twice (JSON keeps the last value silently, TOML refuses it without
  naming it): the message names the key;
- nesting deeper than `MAX_DEPTH` levels (no file of this kind needs it; Python's
  parsers would hit their recursion limit on a deep enough file);
- not a table at the top.

`bounded` joins problem lines into a message of at most `MAX_PROBLEMS` lines (+ "and N
more"), each at most `MAX_LINE` characters, so a hostile file never yields megabytes
of error text.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

MAX_BYTES = 1_000_000
MAX_DEPTH = 6
MAX_PROBLEMS = 20
MAX_LINE = 200
SUFFIXES = (".toml", ".json")


class ConfigFileError(ValueError):
    """A settings file that cannot be used; the text says why and what to do."""


def clip(text: str, limit: int = MAX_LINE) -> str:
    """`text` cut to `limit` characters (with … when cut)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bounded(problems: Iterable[str], sep: str = "; ", limit: int = MAX_PROBLEMS) -> str:
    """At most `limit` problems, each clipped, joined by `sep`; "and N more" after."""
    problems = list(problems)
    shown = [clip(p) for p in problems[:limit]]
    more = len(problems) - len(shown)
    return sep.join(shown) + (f"{sep}and {more} more" if more > 0 else "")


def size_text(n: int) -> str:
    """1234567 -> '1.2 MB'; 2048 -> '2 kB'."""
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def _too_big(n: int, what: str) -> ConfigFileError:
    return ConfigFileError(
        f"the {what} is {size_text(n)}; a {what} is at most {size_text(MAX_BYTES)} "
        "(a few lines): check that it is the right file"
    )


def read_bytes(path: str | Path, what: str = "levers file") -> bytes:
    """A file's bytes, its size checked before it is read; ConfigFileError saying why
    it cannot be read."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise _too_big(size, what)
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ConfigFileError(f"cannot read it ({exc.strerror or exc})") from exc
    if len(data) > MAX_BYTES:  # it grew while being read
        raise _too_big(len(data), what)
    return data


def read_file(path: str | Path, what: str = "levers file") -> dict[str, Any]:
    """The table of a .toml or .json file; ConfigFileError saying why not."""
    return parse(read_bytes(path, what), Path(path).suffix, what)


def text_of(data: bytes | str, what: str = "levers file") -> str:
    """The text of a file's bytes: at most `MAX_BYTES`, UTF-8, a leading BOM dropped."""
    if isinstance(data, str):
        raw_size = len(data.encode("utf-8", errors="replace"))
        if raw_size > MAX_BYTES:
            raise _too_big(raw_size, what)
        return data.removeprefix("\ufeff")
    if len(data) > MAX_BYTES:
        raise _too_big(len(data), what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigFileError(
            f"the {what} is not UTF-8 text (byte {exc.start + 1}): save it as UTF-8"
        ) from exc


def parse(data: bytes | str, suffix: str, what: str = "levers file") -> dict[str, Any]:
    """The table in a TOML or JSON file's bytes or text (`suffix` '.toml' or '.json');
    ConfigFileError naming the problem (size, encoding, syntax, a key given twice,
    nesting, not a table)."""
    suffix = suffix.lower()
    if suffix not in SUFFIXES:
        raise ConfigFileError(f"a {what}'s name ends in .toml or .json, not {suffix!r}")
    text = text_of(data, what)
    try:
        table = _toml(text) if suffix == ".toml" else _json(text)
    except RecursionError:
        raise _too_deep(what) from None
    if not isinstance(table, dict):
        raise ConfigFileError(f"a {what} holds a table of settings ({{name: value}})")
    if _depth(table) > MAX_DEPTH:
        raise _too_deep(what)
    return table


def _too_deep(what: str) -> ConfigFileError:
    return ConfigFileError(
        f"the {what} nests tables or lists more than {MAX_DEPTH} levels deep; "
        "a setting is a number, a text, a list or a {name: value} table"
    )


def _depth(value: Any) -> int:
    """How deeply lists and tables nest in `value` (a scalar: 0), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict):
            v = list(v.values())
        elif not isinstance(v, list):
            deepest = max(deepest, d)
            continue
        deepest = max(deepest, d + 1)
        if d + 1 <= MAX_DEPTH:
            stack.extend((x, d + 1) for x in v)
        else:
            break
    return deepest


def _json(text: str) -> Any:
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in items:
            if k in out:
                duplicates.append(k)
            out[k] = v
        return out

    try:
        table = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise ConfigFileError(
            f"it is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}). "
            'Write e.g. {"scn_demand_pct": 5}'
        ) from None
    except ValueError as exc:  # e.g. a number with more digits than Python reads
        raise ConfigFileError(f"it is not valid JSON: {clip(str(exc))}") from None
    if duplicates:
        names = bounded(sorted({repr(clip(k, 60)) for k in duplicates}), ", ")
        raise ConfigFileError(
            f"{names} {'is' if len(set(duplicates)) == 1 else 'are'} given more than once: "
            "keep one value each"
        )
    return table


_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)")
_KEY_LINE = re.compile(r"^\s*(\[\[?)?\s*([^=\]]+?)\s*(\]\]?\s*$|=)")


def _repeated_line(text: str) -> int | None:
    """The line number of the first `key =` repeated within its [table] (tomllib names
    no line for a repeat on the last line)."""
    seen: set[tuple[str, str]] = set()
    table = ""
    for i, line in enumerate(text.splitlines(), start=1):
        m = _KEY_LINE.match(line)
        if not m:
            continue
        if m.group(1):
            table = m.group(2)
            continue
        if (table, m.group(2)) in seen:
            return i
        seen.add((table, m.group(2)))
    return None


def _toml(text: str) -> Any:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        where = _AT_LINE.search(msg)
        if msg.startswith(("Cannot overwrite a value", "Cannot declare")):
            at = int(where.group(1)) if where else _repeated_line(text)
            line = text.splitlines()[at - 1] if at else ""
            key = line.split("=", 1)[0].strip().strip("[]").strip() or line.strip()
            raise ConfigFileError(
                f"{clip(key, 60)!r} is given more than once"
                + (f" (line {at})" if at else "")
                + ": keep one value"
            ) from None
        raise ConfigFileError(
            f"it is not valid TOML: {clip(msg)}. Write e.g. scn_demand_pct = 5, one setting a line"
        ) from None
