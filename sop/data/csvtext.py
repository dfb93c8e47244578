"""CSV text as spreadsheets and ERP exports write it: the encoding (UTF-8 with or
without BOM, UTF-16 with or without BOM, Windows-1252, Latin-1), the delimiter
(comma, semicolon, tab, pipe) and decimal commas (`1.234,5`, `12,5`), each found
from the content, never assumed from the file name.

`read_csv_text` never raises on bad bytes: it returns the frame (every column as
text) or None, with notes (severity, check, message) worded for a planner.
"""

from __future__ import annotations

import csv
import io
import re

import pandas as pd

from sop.core import csvout

ERROR, WARNING = "error", "warning"
READ = "File can be read"
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
Note = tuple[str, str, str]  # (severity, check, message)

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8", "UTF-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
)
_SINGLE_BYTE = (("utf-8", "UTF-8"), ("cp1252", "Windows-1252"), ("latin-1", "Latin-1"))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
SNIFF_LINES = 50

# a number written with a decimal comma, with or without dots between thousands
_EU_NUMBER = re.compile(r"^[-+]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
# ... that can only be a decimal comma: 1.234,5 / 12,5 / 0,125 / 1234,567 / 3,1416
_EU_SURE = re.compile(r"^[-+]?(\d{1,3}(\.\d{3})+,\d+|\d+,\d{1,2}|\d+,\d{4,}|0,\d+|\d{4,},\d+)$")
# a number that can only be written with a decimal point: 12.5 / 1,234.5 / .5
_POINT_SURE = re.compile(r"^[-+]?(\d*\.\d{1,2}|\d*\.\d{4,}|\d{1,3}(,\d{3})+\.\d+)$")


def code(text: object) -> str:
    """`text` as an inline code span in a message (a backtick in it would end the span)."""
    return "`" + str(text).replace("`", "'") + "`"


def utf16_without_bom(sample: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when every other byte is NUL (ASCII text saved as
    UTF-16 without its byte-order mark), else None."""
    half = len(sample) // 2
    if half < 2:
        return None
    even, odd = sample[0 : 2 * half : 2].count(0), sample[1 : 2 * half : 2].count(0)
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def decode(data: bytes) -> tuple[str, str] | None:
    """(text, encoding name as shown) or None when the bytes are not text."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec), label
            except UnicodeDecodeError:
                return None
    if b"\x00" in data[:4096]:
        codec = utf16_without_bom(data[:4096])
        if codec is None:
            return None
        try:
            return data.decode(codec), "UTF-16"
        except UnicodeDecodeError:
            return None
    for codec, label in _SINGLE_BYTE:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if len(_CONTROL.findall(text[:20000])) > 0.005 * min(len(text), 20000):
            return None  # control characters: a binary file, not text
        return text, label
    return None


def _encoding_notes(file: str, label: str) -> list[Note]:
    if label == "UTF-8":
        return []
    if label in ("UTF-16", "UTF-32"):
        return [
            (
                WARNING,
                "File encoding",
                f"{file}: the file is {label} text (as Excel's 'Unicode text' saves it); "
                "it was read that way.",
            )
        ]
    return [
        (
            WARNING,
            "File encoding",
            f"{file}: the file is not UTF-8; it was read as {label}. Check that accented "
            "names look right, and save as 'CSV UTF-8' next time.",
        )
    ]


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header and the first lines into the same number of
    fields, the most fields winning; a comma when none does."""
    lines = [line for line in text.splitlines()[:SNIFF_LINES] if line.strip()]
    best, score = ",", (0.0, 0)
    for sep in DELIMITERS:
        rows = list(csv.reader(lines, delimiter=sep))
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        same = sum(len(r) == width for r in rows) / len(rows)
        if same >= 0.8 and (same, width) > score:
            best, score = sep, (same, width)
    return best


def _texts(column: pd.Series) -> pd.Series:
    """The distinct non-empty text values of a column, stripped."""
    values = column.dropna()
    if pd.api.types.is_object_dtype(values):  # a workbook's column: text and numbers
        values = values[values.map(lambda v: isinstance(v, str))]
    values = pd.Series(values.astype("str").unique(), dtype="str").str.strip()
    return values[values != ""]


def comma_columns(frame: pd.DataFrame, sep: str) -> list[str]:
    """Text columns whose numbers are written with decimal commas: most values are such
    numbers, some can only be (12,5 / 1.234,5), none can only have a decimal point.
    When every comma could also separate thousands (1,234), only a semicolon- or
    tab-separated file is read as decimal commas."""
    out = []
    for col in frame.columns:
        if not (pd.api.types.is_object_dtype(frame[col]) or is_string(frame[col])):
            continue
        values = _texts(frame[col])
        if values.empty or not values.str.contains(",", regex=False).any():
            continue
        eu = values.str.match(_EU_NUMBER)
        if eu.mean() < 0.5 or values.str.match(_POINT_SURE).any():
            continue
        sure = values.str.match(_EU_SURE).any()
        if sure or sep in (";", "\t"):
            out.append(col)
    return out


def is_string(column: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(column) and not pd.api.types.is_object_dtype(column)


def with_decimal_points(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """A copy where the decimal-comma numbers of `columns` are written with points
    (1.234,5 -> 1234.5); any other value is left as it is, to be flagged later."""
    out = frame.copy()
    for col in columns:
        text = out[col].astype("object")
        stripped = text.str.strip()
        numbers = stripped.str.match(_EU_NUMBER).fillna(False).astype(bool)
        pointed = stripped.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        out[col] = text.where(~numbers, pointed)
    return out


def _blank(column: pd.Series) -> pd.Series:
    """True where a cell is empty or only spaces."""
    spaces = column.astype("object").map(lambda v: isinstance(v, str) and not v.strip())
    return column.isna() | spaces.astype(bool)


def drop_blank_edges(frame: pd.DataFrame) -> pd.DataFrame:
    """Without unnamed columns that are empty (a trailing delimiter, a formatted
    column) and without empty rows at the end (a formatted range): the row numbers of
    the rows kept stay those of the file."""
    unnamed = [c for c in frame.columns if str(c).startswith("Unnamed: ")]
    out = frame.drop(columns=[c for c in unnamed if _blank(frame[c]).all()])
    filled = ~out.isna().all(axis=1).to_numpy()
    if not len(out) or filled[-1]:
        return out
    return out.iloc[: int(filled.nonzero()[0].max()) + 1] if filled.any() else out.iloc[0:0]


def read_csv_text(file: str, data: bytes) -> tuple[pd.DataFrame | None, list[Note]]:
    """CSV bytes as a frame of text columns, or None, with what was found on the way."""
    decoded = decode(data)
    if decoded is None:
        return None, [
            (
                ERROR,
                READ,
                f"{file}: this is not a table file: its bytes are neither text (CSV) nor an "
                "Excel workbook, Parquet, zip or gzip file. Upload the table itself: CSV, "
                "Excel (.xlsx) or Parquet, or a .zip / .gz of them.",
            )
        ]
    text, label = decoded
    notes = _encoding_notes(file, label)
    lines = text.splitlines()
    sep = None
    if lines and (m := re.fullmatch(r"\s*sep=(.)\s*", lines[0])):  # Excel's hint line
        sep, text = m.group(1), "\n".join(lines[1:])
    if not text.strip():
        return None, notes + [
            (
                ERROR,
                "Table is not empty",
                f"{file}: the file is empty. Export the table again with its header row and data.",
            )
        ]
    sep = sep or sniff_delimiter(text)
    if sep != ",":
        name = DELIMITERS.get(sep, repr(sep))
        notes.append(
            (
                WARNING,
                "CSV delimiter",
                f"{file}: columns are separated by {name}s, not commas; it was read that way.",
            )
        )
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=True,
        )
    except (pd.errors.ParserError, ValueError, csv.Error) as exc:
        return None, notes + [
            (
                ERROR,
                READ,
                f"{file}: the CSV cannot be parsed ({exc}). Check for unquoted delimiters or "
                "quotes inside values, and re-export it.",
            )
        ]
    frame = drop_blank_edges(frame)
    frame = frame.apply(csvout.unguard)  # a CSV this app wrote: `'=x` is the text `=x`
    commas = comma_columns(frame, sep)
    if commas:
        frame = with_decimal_points(frame, commas)
        notes.append(
            (
                WARNING,
                "Decimal commas",
                f"{file}: column{'s' * (len(commas) > 1)} {', '.join(map(code, commas))} "
                f"{'write' if len(commas) > 1 else 'writes'} numbers with decimal commas "
                "(12,5 or 1.234,5); "
                f"{'they were' if len(commas) > 1 else 'it was'} read that way (12.5, 1234.5).",
            )
        )
    return frame, notes
