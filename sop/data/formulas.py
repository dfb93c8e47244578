"""Formula cells an Excel workbook holds with no saved value.

Excel saves each formula's last result next to it; a workbook written by a script
(openpyxl, pandas) or by some tools holds the formula only, so every reader sees an
empty cell where the planner, in Excel, sees a number. Such a cell is found in the
sheet's XML: a formula `<f>` with no value `<v>` (or an empty one), that is not a text
result (`t="str"`: Excel saves a formula whose result is "" that way). A sheet with no
such cell costs one regular-expression scan of its bytes; only a workbook that has one
is looked at further (its sheet names, the formula of a shared formula).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from html import unescape
from posixpath import join, normpath, split
from xml.etree.ElementTree import ParseError

from openpyxl.formula.translate import Translator, TranslatorError
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.xml.functions import fromstring

from sop.data.csvtext import ERROR, READ, Note, code

SHOWN = 3  # cells quoted in a message
LONGEST = 60  # characters of a formula quoted
_ROOT = re.compile(rb"<(\w+:)?worksheet\b")  # a prefix some writers put on every element
_ATTR = re.compile(rb"""([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


@dataclass(frozen=True)
class Unsaved:
    """A formula cell with no saved value: `cell` as Excel names it (`D2`), its sheet
    `row` and `column` (1-based) and the `formula` as typed (`=D3*2`)."""

    cell: str
    row: int
    column: int
    formula: str


def _attrs(text: bytes) -> dict[str, str]:
    return {
        m[1].decode().split(":")[-1]: unescape((m[2] if m[2] is not None else m[3]).decode())
        for m in _ATTR.finditer(text)
    }


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """{part path in the zip: sheet name} of the workbook's worksheets."""
    root = fromstring(zf.read("_rels/.rels"))
    book = next(
        (r.get("Target") for r in root if r.get("Type", "").endswith("/officeDocument")),
        "xl/workbook.xml",
    ).lstrip("/")
    folder, name = split(book)
    rels = {
        r.get("Id"): r.get("Target", "")
        for r in fromstring(zf.read(join(folder, "_rels", name + ".rels")))
    }
    parts = {}
    for sheet in fromstring(zf.read(book)).iter():
        if sheet.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
        target = rels.get(rid)
        if target:
            path = target.lstrip("/") if target.startswith("/") else normpath(join(folder, target))
            parts[path] = sheet.get("name", "")
    return parts


@lru_cache(maxsize=4)
def _patterns(prefix: bytes) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """(a formula followed by no value or an empty one, then its cell's end; the formula
    of the first cell of a shared formula) for elements named with `prefix` (`x:`).
    Both start at `<f`, the only place a scan of a big sheet stops at."""
    x = re.escape(prefix)
    return (
        re.compile(
            b"<" + x + rb"f\b([^>]*?)(?:/>|>([^<]*)</" + x + rb"f>)\s*"
            rb"(?:<" + x + rb"v\s*/>|<" + x + rb"v>\s*</" + x + rb"v>)?\s*</" + x + rb"c>"
        ),
        re.compile(b"<" + x + rb"f\b([^>]*\bsi\s*=[^>]*)>([^<]+)</" + x + rb"f>"),
    )


def _cell(xml: bytes, at: int) -> dict[str, str]:
    """The attributes of the cell whose formula starts at `at` (its start tag is right
    before it)."""
    return _attrs(xml[xml.rfind(b"<", 0, at) : at])


def _cells(xml: bytes) -> list[Unsaved]:
    """The formula cells of a sheet's XML that hold no saved value."""
    root = _ROOT.search(xml)
    unsaved, shared = _patterns(root[1] or b"" if root else b"")
    found: list[tuple[dict[str, str], dict[str, str], str]] = []
    for m in unsaved.finditer(xml):
        cell = _cell(xml, m.start())
        if cell.get("t") != "str" and "r" in cell:  # "str" with no text: a saved ""
            found.append((cell, _attrs(m[1]), unescape((m[2] or b"").decode())))
    masters: dict[str, tuple[str, str]] = {}
    if any(not text and "si" in f for _, f, text in found):
        for m in shared.finditer(xml):
            si, ref = _attrs(m[1]).get("si"), _cell(xml, m.start()).get("r")
            if si is not None and ref:
                masters.setdefault(si, (unescape(m[2].decode()), ref.replace("$", "")))
    out = []
    for cell, f, text in found:
        ref = cell["r"].replace("$", "")
        if not text and f.get("si") in masters:
            master, origin = masters[f["si"]]
            try:
                text = Translator("=" + master, origin).translate_formula(ref)[1:]
            except TranslatorError:
                text = master
        letters, row = coordinate_from_string(ref)
        out.append(Unsaved(ref, row, column_index_from_string(letters), "=" + text))
    return out


def unsaved_formulas(data: bytes) -> dict[str, list[Unsaved]]:
    """{sheet name: its formula cells with no saved value} of an .xlsx workbook, only
    the sheets that have one; {} when the workbook's parts cannot be made out (the
    reading of its values says what is wrong then)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            found = {name: _cells(zf.read(path)) for path, name in _sheet_parts(zf).items()}
    except (zipfile.BadZipFile, KeyError, OSError, ParseError, ValueError, EOFError):
        return {}
    return {name: cells for name, cells in found.items() if cells}


def _quoted(formula: str) -> str:
    return code(formula if len(formula) <= LONGEST else formula[: LONGEST - 1] + "…")


def unsaved_notes(where: str, cells: list[Unsaved], columns: Sequence[object]) -> list[Note]:
    """An error per column of the sheet `where` (header in row 1, `columns` its
    headers as read, from column A) naming the rows and formulas of `cells`."""
    by_column: dict[str, list[Unsaved]] = {}
    for c in sorted(cells, key=lambda c: (c.column, c.row)):
        header = str(columns[c.column - 1]).strip() if c.column <= len(columns) else ""
        name = (
            f"column {code(header)}"
            if c.row > 1 and header and not header.startswith("Unnamed: ")
            else f"column {c.cell.rstrip('0123456789')}"
        )
        by_column.setdefault(name, []).append(c)
    notes = []
    for name, got in by_column.items():
        shown = "; ".join(
            f"{'the header' if c.row == 1 else f'row {c.row - 1}'} (cell {c.cell}: "
            f"{_quoted(c.formula)})"
            for c in got[:SHOWN]
        )
        more = f"; and {len(got) - SHOWN} more" if len(got) > SHOWN else ""
        what = (
            f"{shown} holds a formula with no saved value"
            if len(got) == 1
            else f"{len(got)} rows hold formulas with no saved value, {shown}{more}"
        )
        notes.append(
            (
                ERROR,
                READ,
                f"{where}, {name}: {what}: open and save the workbook in Excel (or LibreOffice) so "
                "the values are saved, or paste values (Paste Special > Values), then load "
                "again. The sheet was not read.",
            )
        )
    return notes
