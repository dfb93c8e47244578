"""Lever months and supplier caps in the page's words: `fmt.month_text` and
`moved_text` say 'Dec 2026 to Apr 2028'; the month selects of `lever_widgets` show
'Nov 2026' and store '2026-11'; the supplier select shows the cap's name, stores its
code. Levers, URLs and `Levers.describe` (the CLI's words) keep 'YYYY-MM'."""

from __future__ import annotations

import pandas as pd
import pytest

from sop.core import fmt, schema
from sop.scenario import lever_space, lever_widgets, wording
from sop.scenario.levers import ALL_SUPPLIERS, Levers

MONTHS = ("2026-11", "2026-12", "2027-01", "2028-04")
SPACE = lever_space.LeverSpace(
    ("Alpha",),
    ("North",),
    ("L1",),
    MONTHS,
    suppliers=("CAP-A", "CAP-B"),
    supplier_slots=1,
    supplier_names=(("CAP-A", "Alpha material cap"),),
)
MOVED = Levers(
    promo_family="Alpha",
    promo_start="2026-11",
    promo_months=2,
    promo_uplift_pct=10.0,
    capacity_changes=(("L1", "2026-12", "2028-04", -50.0),),
    supplier_changes=(
        ("CAP-A", "2026-12", "2027-01", 20.0),
        (ALL_SUPPLIERS, "2027-01", "2028-04", -10.0),
    ),
)


@pytest.mark.parametrize(
    "month, label",
    [("2026-11", "Nov 2026"), ("2028-04", "Apr 2028"), ("", ""), ("soon", "soon")],
)
def test_month_label_reads_as_the_charts(month: str, label: str) -> None:
    assert fmt.month_text(month) == label


def test_moved_text_says_month_names_and_describe_keeps_iso() -> None:
    text = wording.moved_text(MOVED)
    assert "promotion on Alpha from Nov 2026 for 2 month(s) +10 %" in text
    assert "capacity L1 Dec 2026 to Apr 2028 -50 %" in text
    assert "supplier cap CAP-A Dec 2026 to Jan 2027 +20 %" in text
    assert "every supplier cap Jan 2027 to Apr 2028 -10 %" in text
    assert not any(m in text for m in MONTHS)
    # the machine words (CLI, files, URL) are unchanged
    assert "capacity_changes L1:2026-12:2028-04:-50" in MOVED.describe()
    assert MOVED.to_query()["scn_capacity_changes"] == "L1:2026-12:2028-04:-50"


def test_month_selects_show_names_and_store_iso() -> None:
    months = [w for w in lever_widgets.lever_widgets(SPACE) if w.options == MONTHS]
    keys = {w.key for w in months}
    assert keys == {
        "scn_promo_start",
        "scn_capacity_changes__0_from",
        "scn_capacity_changes__0_to",
        "scn_capacity_changes__1_from",
        "scn_capacity_changes__1_to",
        "scn_supplier_changes__0_from",
        "scn_supplier_changes__0_to",
    }
    for w in months:
        assert [w.shown(m) for m in w.options] == ["Nov 2026", "Dec 2026", "Jan 2027", "Apr 2028"]
    # the state the widgets hold, and the levers read back, keep 'YYYY-MM'
    lev = Levers(capacity_changes=(("L1", "2026-12", "2028-04", -50.0),))
    state = lever_widgets.widget_state(lev, SPACE)
    assert state["scn_capacity_changes__0_from"] == "2026-12"
    assert lever_widgets.levers_from_state(state, SPACE) == lev


def test_supplier_select_shows_the_cap_name_and_stores_the_code() -> None:
    (pick,) = [
        w for w in lever_widgets.lever_widgets(SPACE) if w.key == "scn_supplier_changes__0_supplier"
    ]
    assert pick.options == ("", ALL_SUPPLIERS, "CAP-A", "CAP-B")
    # a cap without a name (only a lever names it) shows its code
    assert [pick.shown(o) for o in pick.options] == [
        "(none)",
        ALL_SUPPLIERS,
        "CAP-A · Alpha material cap",
        "CAP-B",
    ]
    other = [w for w in lever_widgets.lever_widgets(SPACE) if w.key == "scn_promo_family"]
    assert other[0].shown("") == "(none)" and other[0].shown("Alpha") == "Alpha"


def test_the_space_names_caps_from_the_supply_options_and_keeps_them_when_widened() -> None:
    demand = pd.DataFrame(
        {
            schema.MONTH: pd.to_datetime(["2026-11-01"]),
            schema.FAMILY: ["Alpha"],
            schema.REGION: ["North"],
        }
    )
    tables = {
        schema.CAPACITY: pd.DataFrame({schema.RESOURCE: ["L1"]}),
        schema.SUPPLY_OPTIONS: pd.DataFrame(
            {
                schema.OPTION: ["SUB-A", "CAP-A"],
                schema.OPTION_TYPE: [schema.OPTION_SUBCONTRACT, schema.OPTION_MATERIAL_CAP],
                schema.FAMILY: ["Alpha", "Alpha"],
            }
        ),
    }
    known = lever_space.dataset_space(demand, tables)
    assert known.suppliers == ("CAP-A",)
    assert known.supplier_names == (("CAP-A", "Alpha material cap"),)
    wide = lever_space.widen_space(
        known, Levers(supplier_changes=(("CAP-Z", "2026-11", "2026-11", 5.0),))
    )
    assert wide.suppliers == ("CAP-A", "CAP-Z") and wide.supplier_names == known.supplier_names
    assert (
        lever_space.dataset_space(demand, {schema.CAPACITY: tables[schema.CAPACITY]}).supplier_names
        == ()
    )
