"""CSV downloads never carry a live formula: formula-like text is written with a
leading apostrophe (`sop.core.csvout`), read back as typed, and no writer in `sop/`
goes around it."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from sop.core import csvout
from sop.data.csvtext import read_csv_text

SOP = Path(__file__).resolve().parents[2] / "sop"
HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1 call", "-stock", "@team", "\tcmd"]


def test_formula_like_text_is_guarded_and_numbers_are_not() -> None:
    df = pd.DataFrame({"family": HOSTILE + ["Chairs"], "units": [-1.5, 2, 3, 4, 5, -6]})
    lines = csvout.csv_bytes(df).decode().splitlines()
    cells = [next(csv.reader([line])) for line in lines[1:]]
    assert [c[0] for c in cells] == ["'" + h for h in HOSTILE] + ["Chairs"]
    assert [c[1] for c in cells] == ["-1.5", "2.0", "3.0", "4.0", "5.0", "-6.0"]


def test_a_guarded_download_reads_back_to_the_same_text() -> None:
    df = pd.DataFrame({"family": HOSTILE + ["'kept apostrophe"], "units": range(6)})
    frame, _ = read_csv_text("plan.csv", csvout.csv_bytes(df))
    assert frame["family"].tolist()[:4] == HOSTILE[:4]
    assert frame["family"].tolist()[-1] == "'kept apostrophe"


def test_every_csv_writer_in_sop_goes_through_csvout() -> None:
    bypass = [
        f"{p.relative_to(SOP)}:{n}"
        for p in SOP.rglob("*.py")
        if p.name != "csvout.py"
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if re.search(r"\.to_csv\(|csv\.writer\(", line)
    ]
    assert bypass == []
