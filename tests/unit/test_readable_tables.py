"""Tables read in full (issue 17): a grid column is as wide as its longest text
(`sop.ui.columns.fit`: the grid itself sizes a column by its first rows only), prose
too long for a column is found (`too_wide`), and the Supply page's binding limits are
text whose lever sentences stay whole (`sop.supply.view.bottleneck_text`). The browser
test (tests/browser/test_browser_readable.py) measures the result in Chromium."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sop.supply import view as supply_view
from sop.ui import columns


def test_a_column_is_as_wide_as_its_longest_text_row_eleven_included() -> None:
    df = pd.DataFrame({"table": ["sales"] * 10 + ["bill_of_resources"], "rows": range(11)})
    config = columns.fit(df, {"table": "Table"})
    # 16 small letters and an underscore at 6.7 px + 20 px padding; the label is kept
    assert config["table"] == {"label": "Table", "width": round(17 * 6.7 + 20)}
    assert "rows" not in config  # a number without a known format: left to the grid
    assert columns.text_px(["AB1"]) == round(8.0 + 8.0 + 7.0 + 20)  # capitals, digits
    # a column without a config keeps its name as label; a hidden one stays hidden
    hidden = columns.fit(df.assign(KPI="Gross margin %"), {"table": None})
    assert hidden["table"] is None and hidden["KPI"]["label"] == "KPI"


def test_a_wide_enough_column_is_left_alone_and_prose_is_capped() -> None:
    short = pd.DataFrame({"note": ["ok"]})
    set_wide = {"note": columns.Text("Note", width="large")}
    assert columns.fit(short, set_wide) == set_wide  # 400 px is plenty
    prose = pd.DataFrame({"note": ["word " * 200]})
    fitted = columns.fit(prose, set_wide)
    assert fitted["note"]["width"] == columns.WIDEST_PX
    assert columns.too_wide(prose, fitted) == ["note"]
    assert columns.too_wide(short, set_wide) == []


def test_numbers_are_measured_as_the_grid_writes_them() -> None:
    df = pd.DataFrame({"bias": [0.05, 18.401], "units": [5.0, 1_234_567.0]})
    config = columns.fit(
        df,
        {
            "bias": columns.Number("Bias (%)", format="percent"),
            "units": columns.Number("Units", format="%,.0f"),
        },
    )
    assert config["bias"]["width"] == columns.text_px(["1,840.10%"])
    assert config["units"]["width"] == columns.text_px(["1,234,567"])
    assert config["bias"]["type_config"]["format"] == "percent"  # the rest is kept


def test_labels_read_from_a_column_config() -> None:
    assert columns.labels({"a": "Alpha", "b": columns.Text("Beta"), "c": None}) == {
        "a": "Alpha",
        "b": "Beta",
        "c": "c",
    }


def test_binding_limits_read_as_text_with_the_lever_whole() -> None:
    lever = "Working 48 of 54 overtime hours: one more regular hour saves the €21/h cost."
    b = pd.DataFrame(
        {
            "constraint": ["capacity", "material cap"],
            "resource": ["RS-ASM1", "CAP-CL-MOTOR"],
            "name": ["Cooling assembly", "Cooling material cap"],
            "plant": ["P1", "Cooling"],
            "month": pd.to_datetime(["2027-05-01", "2027-05-01"]),
            "shadow_price": [21.0, 0.28],
            "per": ["hour", "unit"],
            "used": [333.54, 10_100.0],
            "limit": [285.6, 10_100.0],
            "overtime_hours": [47.94, np.nan],
            "max_overtime_hours": [54.0, np.nan],
            "lever": [lever, "Negotiate more supply."],
        }
    )
    t = supply_view.bottleneck_text(b, "EUR")
    assert t.to_dict("records")[0] == {
        "Month": "May 2027",
        "Binding limit": "RS-ASM1 · Cooling assembly",
        "Shadow price (EUR)": "€21/hour",
        "Used": "334 h",
        "Limit": "286 h",
        "Overtime (h)": "48 of 54",
        "Lever": lever,
    }
    assert t.loc[1, "Shadow price (EUR)"] == "€0.28/unit"
    assert t.loc[1, "Overtime (h)"] == "–" and t.loc[1, "Used"] == "10,100 units"
    assert set(supply_view.GRID_COLUMNS) <= set(b.columns)
