"""Monthly data dated by each month's last day (`2024-01-31`, an ERP's period-end report)
is read as those months, with a note; a column that mixes other days stays an error
(daily or weekly data is never summed on its own)."""

from __future__ import annotations

import pandas as pd
import pytest

from sop.core import schema
from sop.data.validate import validate_files

ENDS = pd.date_range("2024-01-31", periods=14, freq="ME")


def _sales(dates: list[str]) -> dict[str, bytes]:
    rows = "".join(f"{d},A1,North,{10 + i}\n" for i, d in enumerate(dates))
    return {"sales.csv": ("month,sku,region,units\n" + rows).encode()}


@pytest.mark.parametrize(
    "fmt, shown",
    [("%Y-%m-%d", "2024-01-31"), ("%d/%m/%Y", "31/01/2024"), ("%m/%d/%Y", "01/31/2024")],
)
def test_month_ends_are_read_as_their_months_with_a_note(fmt: str, shown: str) -> None:
    report = validate_files(_sales([d.strftime(fmt) for d in ENDS]))
    assert report.ok, [f.message for f in report.errors]
    months = report.tables[schema.SALES][schema.MONTH]
    assert list(months) == list(pd.date_range("2024-01-01", periods=14, freq="MS"))
    assert str(months.dtype) == "datetime64[us]"
    notes = [f.message for f in report.warnings if "last day of its month" in f.message]
    assert notes == [
        f"sales.csv: every date in `sales.month` is the last day of its month (e.g. "
        f"`{shown}`); each was read as its month (2024-01)."
    ]


@pytest.mark.parametrize(
    "swap",
    ["2024-02-15", "2024-02-01", "2024-02-28 12:00"],
    ids=["a mid-month day", "a month's first day", "a time of day"],
)
def test_a_column_not_all_month_ends_is_still_an_error(swap: str) -> None:
    dates = [f"{d:%Y-%m-%d}" for d in ENDS]
    dates[1] = swap  # February 2024 ends on the 29th
    report = validate_files(_sales(dates))
    assert not report.ok
    said = " ".join(f.message for f in report.errors)
    assert "are not the first day of a month" in said and "row 1" in said, said
    assert not any("last day of its month" in f.message for f in report.findings)


def test_month_starts_need_no_note() -> None:
    report = validate_files(_sales([f"{d:%Y-%m}-01" for d in ENDS]))
    assert report.ok
    assert not any("last day of its month" in f.message for f in report.findings)
