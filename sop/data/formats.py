"""What a dataset file really is, from its first bytes (never its name), opened into
parts of one table each.

`PK\\x03\\x04` is a zip: an Excel workbook (.xlsx, one part per sheet) or an archive
of table files; `PAR1` is Parquet; `\\x1f\\x8b` is gzip (opened, then looked at
again); anything else must be text (CSV, `sop.data.csvtext`). PDFs, images, Excel
97-2003 files and random bytes are refused with what they are; an empty file is
refused for `sales` and left out with a warning for an optional table. A file
whose name says otherwise (a workbook saved as `sales.csv`) is read as what it is,
with a note. Nothing here raises on a bad file: problems are notes on the `Part`.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sop.data.csvtext import (
    ERROR,
    READ,
    WARNING,
    Note,
    code,
    comma_columns,
    drop_blank_edges,
    read_csv_text,
    with_decimal_points,
)
from sop.data.formulas import unsaved_formulas, unsaved_notes

MAX_BYTES = 1 << 30  # what a zip or gzip may unpack to: no archive bomb fills the memory
MAX_DEPTH = 3  # a gzip in a zip in a zip
# file name endings read as table files (anything else in a folder or zip is ignored)
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
SUFFIXES = (*TEXT_SUFFIXES, ".parquet", ".xlsx", ".xlsm", ".gz", ".zip")
KIND_NAMES = {
    "xlsx": "an Excel workbook (.xlsx)",
    "zip": "a zip archive",
    "parquet": "a Parquet file",
    "gzip": "a gzip-compressed file",
    "text": "a CSV text file",
}
HELP_SHEETS = {"readme", "instructions", "notes", "help"}
_EXPECTED = {".xlsx": "xlsx", ".xlsm": "xlsx", ".zip": "zip", ".parquet": "parquet"}
_EXPECTED.update({".gz": "gzip", **{s: "text" for s in TEXT_SUFFIXES}})
_NOT_TABLES = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook (.xls) or another old Office file"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"BZh", "a bzip2-compressed file"),
)
_WHAT_TO_DO = (
    "Upload the table itself: CSV, Excel workbook (.xlsx) or Parquet, or a .zip / .gz of them."
)


@dataclass(frozen=True)
class Part:
    """One table-shaped piece of an uploaded file: the file itself, a sheet of a
    workbook or a member of an archive.

    `label` names it in messages (`book.xlsx (sheet Sales)`, `data.zip/sales.csv`);
    `name` is what is matched to a table (a file stem or a sheet name); `source` is the
    file as uploaded; `frame` is None when it cannot be read (the notes say why);
    `alias` is the workbook's file stem for its only sheet (`sales.xlsx`, sheet
    `Sheet1`)."""

    label: str
    name: str
    source: str
    frame: pd.DataFrame | None
    notes: tuple[Note, ...] = ()
    alias: str | None = None
    empty: bool = False


def kind_of(data: bytes) -> str:
    """'xlsx', 'zip', 'parquet', 'gzip', 'empty', 'text', or what it is when it is no
    table (e.g. 'a PDF document')."""
    if not data:
        return "empty"
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return "a damaged zip file (or a damaged Excel workbook)"
        is_book = "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names)
        return "xlsx" if is_book else "zip"
    if data[:4] == b"PAR1":
        return "parquet"
    if data[:2] == b"\x1f\x8b":
        return "gzip"
    for magic, what in _NOT_TABLES:
        if data.startswith(magic):
            return what
    return "text"


def _stem(name: str) -> str:
    return PurePosixPath(name).stem


def _suffix(name: str) -> str:
    return PurePosixPath(name).suffix.lower()


def hidden(name: str) -> bool:
    """Files a system leaves behind (`.DS_Store`, `__MACOSX/`, `~$book.xlsx`)."""
    parts = PurePosixPath(name).parts
    return any(p.startswith((".", "~$")) or p == "__MACOSX" for p in parts)


def open_file(
    name: str, data: bytes, label: str | None = None, source: str | None = None, depth: int = 0
) -> list[Part]:
    """The parts of one file, read as what its bytes are."""
    label, source = label or name, source or name
    kind = kind_of(data)
    notes: list[Note] = []
    expected = _EXPECTED.get(_suffix(name))
    if kind in KIND_NAMES and expected and kind != expected:
        notes.append(
            (
                WARNING,
                READ,
                f"{label}: the name says {KIND_NAMES[expected]}, but it is "
                f"{KIND_NAMES[kind]}; it was read as that. Rename it to match.",
            )
        )
    if kind == "empty":
        return [
            _failed(
                label,
                name,
                source,
                "Table is not empty",
                f"{label}: the file is empty (0 bytes). Export the table again with "
                "its header row and data.",
                empty=True,
            )
        ]
    if kind not in KIND_NAMES:
        return [
            _failed(
                label, name, source, READ, f"{label}: this is {kind}, not a table. {_WHAT_TO_DO}"
            )
        ]
    if depth > MAX_DEPTH and kind in ("zip", "gzip"):
        return [
            _failed(
                label, name, source, READ, f"{label}: archives are nested too deep. {_WHAT_TO_DO}"
            )
        ]
    if kind == "xlsx":
        parts = read_workbook(label, name, source, data)
    elif kind == "zip":
        parts = read_zip(label, source, data, depth)
    elif kind == "gzip":
        parts = read_gzip(label, name, source, data, depth)
    elif kind == "parquet":
        parts = [read_parquet(label, name, source, data)]
    else:
        frame, found = read_csv_text(label, data)
        parts = [Part(label, _stem(name), source, frame, tuple(found))]
    if notes and parts:
        parts[0] = replace(parts[0], notes=tuple(notes) + parts[0].notes)
    return parts


def _failed(
    label: str, name: str, source: str, check: str, message: str, empty: bool = False
) -> Part:
    return Part(label, _stem(name), source, None, ((ERROR, check, message),), empty=empty)


def read_parquet(label: str, name: str, source: str, data: bytes) -> Part:
    """A Parquet file; a corrupt or truncated one is a note, not an exception."""
    try:
        frame = pq.read_table(pa.BufferReader(data)).to_pandas()
    except (pa.ArrowException, OSError, ValueError) as exc:
        return _failed(
            label,
            name,
            source,
            READ,
            f"{label}: the Parquet file is corrupt or truncated and cannot be read "
            f"({exc}). Export it again; if it was copied, check the copy finished.",
        )
    return Part(label, _stem(name), source, frame.reset_index(drop=True))


def read_workbook(label: str, name: str, source: str, data: bytes) -> list[Part]:
    """One part per sheet: cells as Excel holds them (numbers, dates, text); numbers
    typed as text with decimal commas are read like a CSV's. A sheet with a formula
    whose value was never saved (a workbook written by a script) is not read: the
    error names its cells (`sop.data.formulas`)."""
    try:
        sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=object, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        return [
            _failed(
                label,
                name,
                source,
                READ,
                f"{label}: the Excel workbook cannot be read ({type(exc).__name__}: "
                f"{exc}). Open it in Excel and save it again as .xlsx, or save each "
                "table as CSV UTF-8.",
            )
        ]
    parts = []
    alias = _stem(name) if len(sheets) == 1 else None
    unsaved = unsaved_formulas(data)
    for sheet, frame in sheets.items():
        if len(sheets) > 1 and "".join(str(sheet).lower().split()) in HELP_SHEETS:
            continue  # a template's "Read me" is no table, and not worth a warning
        where = f"{label} (sheet {sheet})"
        if cells := unsaved.get(str(sheet)):  # read as empty cells, they would be wrong
            notes = tuple(unsaved_notes(where, cells, list(frame.columns)))
            parts.append(Part(where, str(sheet), source, None, notes, alias))
            continue
        frame = drop_blank_edges(frame.rename(columns=lambda c: str(c).strip()))
        if frame.columns.empty:
            parts.append(
                Part(
                    where,
                    str(sheet),
                    source,
                    None,
                    (
                        (
                            ERROR,
                            "Table is not empty",
                            f"{where}: the sheet is empty. Put the header row in its first row "
                            "and the data under it.",
                        ),
                    ),
                    alias,
                    empty=True,
                )
            )
            continue
        notes: tuple[Note, ...] = ()
        if commas := comma_columns(frame, ","):
            frame = with_decimal_points(frame, commas)
            notes = (
                (
                    WARNING,
                    "Decimal commas",
                    f"{where}: column{'s' * (len(commas) > 1)} "
                    f"{', '.join(map(code, commas))} hold numbers typed as text with decimal "
                    "commas (12,5); they were read as numbers.",
                ),
            )
        parts.append(Part(where, str(sheet), source, frame.reset_index(drop=True), notes, alias))
    return parts


def read_zip(label: str, source: str, data: bytes, depth: int) -> list[Part]:
    """Every table file in a zip archive (folders inside it included)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = [i for i in zf.infolist() if not i.is_dir() and not hidden(i.filename)]
            if sum(i.file_size for i in members) > MAX_BYTES:
                return [
                    _failed(
                        label,
                        label,
                        source,
                        READ,
                        f"{label}: the archive unpacks to more than "
                        f"{MAX_BYTES >> 30} GB. Upload the tables one by one.",
                    )
                ]
            parts: list[Part] = []
            for info in members:
                where = f"{label}/{info.filename}"
                if _suffix(info.filename) not in SUFFIXES:
                    parts.append(
                        Part(
                            where,
                            _stem(info.filename),
                            source,
                            None,
                            (
                                (
                                    WARNING,
                                    "Files are tables of the data model",
                                    f"{where}: ignored; not a table file ({', '.join(SUFFIXES)}).",
                                ),
                            ),
                            empty=True,
                        )
                    )
                    continue
                member = zf.read(info)
                parts += open_file(
                    PurePosixPath(info.filename).name, member, where, source, depth + 1
                )
    except (
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        RuntimeError,
        NotImplementedError,
        EOFError,
    ) as exc:
        return [
            _failed(
                label,
                label,
                source,
                READ,
                f"{label}: the zip archive cannot be opened ({exc}). Zip the files "
                "again without a password, or upload them one by one.",
            )
        ]
    if not parts:
        return [
            _failed(
                label, label, source, READ, f"{label}: the zip archive holds no file. {_WHAT_TO_DO}"
            )
        ]
    return parts


def read_gzip(label: str, name: str, source: str, data: bytes, depth: int) -> list[Part]:
    """A gzip file, unpacked (at most `MAX_BYTES`) and read as what it holds:
    `sales.csv.gz` is `sales.csv`."""
    inner = name[:-3] if name.lower().endswith(".gz") else name
    unpack = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = unpack.decompress(data, MAX_BYTES)
        if unpack.unconsumed_tail:
            return [
                _failed(
                    label,
                    inner,
                    source,
                    READ,
                    f"{label}: the file unpacks to more than {MAX_BYTES >> 30} GB. "
                    "Upload the table unpacked or as Parquet.",
                )
            ]
        if not unpack.eof:
            raise zlib.error("the compressed data ends too early")
    except zlib.error as exc:
        return [
            _failed(
                label,
                inner,
                source,
                READ,
                f"{label}: the gzip file is damaged or truncated ({exc}). Compress the "
                "table again, or upload it unpacked.",
            )
        ]
    return open_file(inner, out, label, source, depth + 1)
