"""The header row of one file: every column of the table present, spelled right or
mapped (`sop.data.mapping`); a missing column names the header that looks like it
and how to map it, never using it unconfirmed."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sop.core import schema
from sop.data.csvtext import code
from sop.data.mapping import header_key, is_synonym, map_option, suggest
from sop.data.readers import ERROR, WARNING, RawTable
from sop.data.report import ROW, Run

HEADERS = "Columns are present and spelled right"
MAPPED = "Columns are mapped"


def _apply_maps(
    raw: RawTable,
    keys: list[str],
    shown: dict[str, str],
    maps: list[tuple[Mapping[str, str], str]],
    run: Run,
    table: str,
) -> list[str]:
    """`keys` with the mapped headers renamed to their model columns; a note per
    mapping used. `maps` are (header -> column, why) pairs, later ones winning."""
    chosen: dict[str, tuple[str, str]] = {}  # header key -> (column, why)
    for mapping, why in maps:
        for header, column in mapping.items():
            chosen[header_key(header)] = (column, why)
    out = list(keys)
    for key, (column, why) in chosen.items():
        if key not in out or column in out or key == column:
            if why.startswith("as mapped") and key not in out:
                run.flag(
                    MAPPED,
                    table,
                    WARNING,
                    f"{raw.file}: the mapping of {code(key)} to {code(column)} was not used: "
                    "the file has no such column.",
                    1,
                    raw.file,
                    column,
                )
            continue
        out[out.index(key)] = column
        shown[column] = shown.get(key, key)
        run.flag(
            MAPPED,
            table,
            WARNING,
            f"{raw.file}: column {code(shown[column])} was read as {code(column)} ({why}).",
            1,
            raw.file,
            column,
        )
    return out


def normalise_headers(
    raw: RawTable,
    t: schema.Table,
    run: Run,
    mapping: Mapping[str, str] | None = None,
    saved: Mapping[str, str] | None = None,
    saved_for: str = "",
) -> tuple[pd.DataFrame | None, list[str]]:
    """(the frame with the model's columns and a `row` number, required columns that
    are missing); None when the header cannot be read at all. `mapping` (header ->
    column, confirmed now) and `saved` (saved for company `saved_for`) rename headers
    the model does not know; for a missing column a likely header is named, never used
    unconfirmed."""
    df = raw.frame.copy(deep=False)  # copy-on-write: the raw frame stays as read
    originals = [str(c).strip() for c in df.columns]
    keys = [header_key(c) for c in originals]
    shown = dict(zip(keys, originals))
    run.ran(HEADERS, t.name)
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        run.flag(
            HEADERS,
            t.name,
            ERROR,
            f"{raw.file}: column{'s' * (len(dup) > 1)} {', '.join(dup)} appear twice. "
            "Keep one of each.",
            len(dup),
            raw.file,
        )
        return None, []
    maps = [(saved or {}, f"the mapping saved for {code(saved_for)}"), (mapping or {}, "as mapped")]
    keys = _apply_maps(raw, keys, shown, maps, run, t.name)
    df.columns = keys
    extra = [c for c in keys if c not in t.column_names]
    missing = [c.name for c in t.columns if c.required and c.name not in keys]
    hints = suggest(t.name, [shown.get(k, k) for k in extra])
    needs = ", ".join(c.name for c in t.columns if c.required)
    opt = [c.name for c in t.columns if not c.required]
    for m in missing:
        run.flag(
            HEADERS,
            t.name,
            ERROR,
            f"{raw.file}: column `{m}` is missing.{_hint(t.name, m, hints.get(m))} The "
            f"`{t.name}` table needs columns: {needs}"
            + (f" (optional: {', '.join(opt)})" if opt else "")
            + ".",
            1,
            raw.file,
            m,
        )
    used = {header_key(hints[m]) for m in missing if m in hints}
    ignored = [c for c in extra if c not in used]
    if ignored:
        also = [
            f" {code(h)} looks like {code(col)}: {_how(t.name, h, col)}."
            for col, h in hints.items()
            if col not in missing and header_key(h) in ignored
        ]
        run.flag(
            HEADERS,
            t.name,
            WARNING,
            f"{raw.file}: column{'s' * (len(ignored) > 1)} "
            f"{', '.join(shown.get(c, c) for c in ignored)} "
            f"{'are' if len(ignored) > 1 else 'is'} not in the data model and "
            f"{'were' if len(ignored) > 1 else 'was'} ignored." + "".join(also),
            len(ignored),
            raw.file,
        )
    for c in t.columns:
        if c.name not in df.columns:
            df[c.name] = pd.NA
    df = df[t.column_names].reset_index(drop=True)
    df.insert(0, ROW, np.arange(1, len(df) + 1))
    return df, missing


def _how(table: str, header: str, column: str) -> str:
    return f"map it on the Data page or pass {map_option(table, header, column)}"


def _hint(table: str, column: str, header: str | None) -> str:
    if header is None:
        return ""
    if is_synonym(column, header):
        return f" {code(header)} looks like it: {_how(table, header, column)}."
    return (
        f" Is it misspelled as {code(header)}? Rename the column, or {_how(table, header, column)}."
    )
