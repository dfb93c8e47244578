"""The S&OP grid on screen (Scenarios tab, Executive page): the grid made by
`sop.finance.grid` drawn as a table with months as columns, units and money
formatted, the gap rows coloured AND signed with an icon (colour is never the only
signal); and the consensus row of one family editable for a demand planner, each
edited month saved as an audited override through the Demand page's own path
(`sop.ui.actions.add_override` -> `sop.demand.consensus.submit_override`)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from sop.core import access, fmt
from sop.demand import overrides
from sop.demand import view as demand_view
from sop.demand.overrides import Override
from sop.demand.plan import has_loaded_consensus
from sop.finance import grid_text
from sop.finance.grid import TOTAL, UNITS_CAPACITY, Grid
from sop.scenario.levers import Levers
from sop.scenario.wording import escape_md
from sop.supply.policy import SupplyPolicy
from sop.ui import actions, permit, readers, say, scenario_readers, widgets
from sop.ui.settings_forms import recorded_as

FLASH = "_grid_flash"
EDIT_ROW = "Consensus demand (units)"
# the Data page's pass / fail colours (WCAG AA text on them); the sign and the arrow
# carry the same meaning for anyone who cannot tell the colours apart
GAP_STYLE = {
    grid_text.UP: "background-color: #EAF2EA; color: #1E5631",
    grid_text.DOWN: "background-color: #F6D5D9; color: #8A1C2B",
}


# --- The grid, read only -----------------------------------------------------------------
def gap_styles(shown: pd.DataFrame) -> pd.DataFrame:
    """CSS per cell of a `display_frame`: a signed cell coloured by its arrow."""
    return shown.map(lambda t: GAP_STYLE.get(str(t)[:1], ""))


def show_grid(grid: Grid, currency: str, key: str, large: bool = False) -> None:
    """The grid with months as columns and the row label pinned; `large` (presentation
    mode): a plain table that grows with the page's font."""
    shown = grid_text.display_frame(grid, currency).reset_index(drop=True)
    styled = shown.style.apply(gap_styles, axis=None)
    if large:
        st.table(styled.hide(axis="index"))
        return
    st.dataframe(
        styled,
        hide_index=True,
        key=key,
        height="content",
        column_config={grid_text.ROW: st.column_config.TextColumn(grid_text.ROW, pinned=True)},
    )


# --- Consensus cells, editable ----------------------------------------------------------
def month_labels(months: Sequence[pd.Timestamp]) -> dict[str, pd.Timestamp]:
    """Column label (Jan 2027) -> month, in order."""
    return {fmt.month(m): pd.Timestamp(m) for m in months}


def _editor_frame(consensus: pd.Series) -> pd.DataFrame:
    labels = month_labels(consensus.index)
    return pd.DataFrame(
        [[float(round(consensus[m])) for m in labels.values()]],
        columns=list(labels),
        index=[EDIT_ROW],
    )


def consensus_form(family: str, consensus: pd.Series, key: str) -> list[Override] | None:
    """The family's consensus per month (`consensus`, indexed by plan month) as one
    editable row with a reason; the overrides of the changed months (made by the
    session's person) once "Save consensus" is pressed, else None."""
    labels = month_labels(consensus.index)
    widgets.fresh(_cleared(key))
    with st.form(f"{key}_form", clear_on_submit=False, border=True):
        st.markdown(
            f"**Edit the consensus of {escape_md(family)}** (units per month, family "
            "level): each changed month is saved as an override with your reason, as on "
            "the Demand page."
        )
        edited = st.data_editor(
            _editor_frame(consensus),
            key=f"{key}_editor",
            num_rows="fixed",
            column_config={
                label: st.column_config.NumberColumn(label, min_value=0.0, format="%,.0f")
                for label in labels
            },
        )
        c = st.columns(2, vertical_alignment="bottom")
        reason = c[0].text_input("Reason", key=f"{key}_reason", placeholder="e.g. key account win")
        c[1].caption(recorded_as())
        if not st.form_submit_button("Save consensus", type="primary", key=f"{key}_save"):
            return None
    after = pd.Series({labels[col]: edited.iloc[0][col] for col in labels})
    return overrides.from_edited_row(family, consensus.round(), after, reason)


def _cleared(key: str) -> dict[str, str]:
    """What the consensus form keyed `key` holds once saved (`widgets.flash`)."""
    return {f"{key}_reason": ""}


def save_edits(ovs: list[Override], family: str, key: str = "") -> None:
    """Store each override (the Demand page's action) and rerun with what was saved,
    the form keyed `key` emptied; stops at the first refused one and says why (the
    ones before it stay saved). An edit stacks on earlier overrides of the month
    without asking: the planner typed the month's resulting figure in the cell."""
    if not ovs:
        st.info("No month was changed: nothing to save.")
        return
    saved: list[int] = []
    for ov in ovs:
        added = actions.add_override(ov, stack=True)
        if not added.ok:
            if saved:
                st.warning(f"Saved before the refusal: override #{', #'.join(map(str, saved))}.")
            st.error(added.message)
            return
        saved.append(int(added.value))
    months = ", ".join(fmt.month(ov.start_month) for ov in ovs)
    widgets.flash(
        FLASH,
        f"Override #{', #'.join(map(str, saved))} on {escape_md(family)} ({months}) saved; "
        "the consensus and every figure made from it are updated.",
        clear=_cleared(key) if key else None,
    )


def consensus_editor(family: str, consensus: pd.Series, key: str) -> None:
    """The editable consensus row of `family` and its save (see `consensus_form`)."""
    ovs = consensus_form(family, consensus, key)
    if ovs is not None:
        save_edits(ovs, family, key)


# --- The pages' grids ---------------------------------------------------------------------
VIEWS = ("Scenario", "Baseline", "Scenario − baseline")
GRID_NOTE = (
    "Gap rows: ▲ + green = supply or plan above demand or budget, ▼ - red = below; "
    "months marked (actual) are history. Money in {cur}."
)
UNITS_NOTE = (
    " Family capacity: the units a month `family_capacity` lets the family make; it is "
    "counted in units, not hours, so the regular-hours capacity and utilisation leave it out."
)


def grid_note(grid: Grid, cur: str) -> str:
    """The key under a grid; what the family-capacity row is, when the grid has one."""
    units = UNITS_CAPACITY[0] in grid.frame.index
    note = GRID_NOTE.format(cur=cur) + (UNITS_NOTE if units else "")
    return note + fmt.md(grid_text.limits_note(grid))


def _family(grids: dict[str, Grid], key: str) -> str:
    names = [TOTAL, *(f for f in grids if f != TOTAL)]
    return st.selectbox(
        "Family", names, key=key, format_func=lambda f: "All families" if f == TOTAL else f
    )


def editable_consensus(path: str, version: int, base: Grid, key: str) -> None:
    """A family's baseline consensus (the demand plan before any lever) as an editable
    row, for a demand planner; not for the total or a loaded consensus plan."""
    if base.family == TOTAL:
        return st.caption("Pick a family to edit its consensus demand.")
    if has_loaded_consensus(readers.tables(path, version)):
        return st.caption(demand_view.LOADED_NOTE)
    if not permit.allowed(access.OVERRIDE):
        return None
    if st.toggle("Edit the consensus (demand planner)", key=f"{key}_on"):
        consensus_editor(base.family, base.frame.loc["consensus", list(base.plan)], key)


def scenario_tab(c: dict, levers: Levers, policy: SupplyPolicy) -> None:
    """The Scenarios page's S&OP grid: the scenario, the baseline or the change, for a
    family or the total; the family's consensus editable under it."""
    widgets.show_flash(FLASH)
    scn = scenario_readers.grids(c["path"], c["version"], c["stamp"], levers, policy)
    base = scenario_readers.grids(c["path"], c["version"], c["stamp"], Levers(), policy)
    if scn is None or base is None:
        return st.info("The S&OP grid needs an optimal plan of the scenario and the baseline.")
    left, right = st.columns([1, 2], vertical_alignment="bottom")
    with left:
        fam = _family(scn, "scn_grid_family")
    view = right.radio("Show", VIEWS, key="scn_grid_view", horizontal=True)
    if view == VIEWS[2]:
        show_grid(grid_text.change_grid(scn[fam], base[fam]), c["cur"], "scn_grid_table")
    else:
        show_grid((scn if view == VIEWS[0] else base)[fam], c["cur"], "scn_grid_table")
    say.caption(grid_note(scn[fam], c["cur"]))
    editable_consensus(c["path"], c["version"], base[fam], "scn_grid_cons")


def executive_grid(
    path: str,
    version: int,
    stamp: tuple,
    levers: Levers,
    policy: SupplyPolicy,
    cur: str,
    large: bool,
) -> None:
    """The Executive page's S&OP grid of the plan on screen, one family at a time."""
    st.subheader("S&OP grid")
    grids = scenario_readers.grids(path, version, stamp, levers, policy)
    if grids is None:
        return st.info("The S&OP grid needs an optimal plan.")
    fam = st.columns([1, 3])[0].selectbox(
        "Family",
        [f for f in grids if f != TOTAL] + [TOTAL],
        key="exe_grid_family",
        format_func=lambda f: "All families" if f == TOTAL else f,
    )
    show_grid(grids[fam], cur, "exe_grid_table", large=large)
    say.caption(grid_note(grids[fam], cur))
