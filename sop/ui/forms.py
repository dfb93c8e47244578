"""Forms: the inputs of a write. Each returns what was typed once its button is
pressed (None before), and the page passes it to `sop.ui.actions` (the plan and
finance settings: `sop.ui.settings_forms`). Every widget has a key namespaced by page.
A form is drawn only for a person whose roles allow its write (`permit.allowed`: the
others read why not); no form asks for a name, the record carries the signed-in
person's (`settings_forms.recorded_as`).

A form stores once: after a save the page reruns with `widgets.flash(..., clear=
<the form's *_CLEARED>)` and the form draws itself empty (`widgets.fresh`), so Enter
then a click on the button sends an empty form the second time, which stores
nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import pandas as pd
import streamlit as st

from sop.core import access, fmt
from sop.demand import stacking
from sop.demand import view as demand_view
from sop.demand.overrides import Override
from sop.scenario import lever_widgets
from sop.scenario.lever_space import LeverSpace
from sop.scenario.levers import Levers
from sop.scenario.wording import escape_md
from sop.ui import permit, widgets
from sop.ui.actions import Outcome
from sop.ui.settings_forms import recorded_as

# what each form holds once its item is saved (`widgets.flash(clear=...)`)
OVERRIDE_CLEARED = {"dem_ov_value": 0.0, "dem_ov_reason": ""}
WITHDRAW_CLEARED = {"dem_wd_note": ""}
APPROVE_CLEARED = {"dec_note": ""}
ITEM_CLEARED = {"dec_item_text": "", "dec_item_owner": "", "dec_item_due": None}
STACK = "_dem_ov_stack"  # (override, Stacking, selection) waiting for "stack" or "cancel"
EMPTY_NOTE = (
    "Nothing to save: the form is empty (an override just saved is listed below). "
    "Enter a change and a reason, then press **Save override**."
)


def entry_cleared(key: str) -> dict[str, str]:
    """What an `entry_form` keyed `key` holds once its action is done."""
    return {f"{key}_note": ""}


# --- Demand planning (step 2) ---------------------------------------------------------
def override_form(months: Sequence[pd.Timestamp], pick: tuple) -> Override | None:
    """The Demand page's override of selection `pick` (family, sku, region; None for
    all) over plan `months`: the override typed once "Save override" is pressed, else
    None (a note when the selection cannot take one, or when the form was sent empty:
    a second press after a save)."""
    level = demand_view.override_level(*pick)
    if level is None:
        st.info(demand_view.PICK_NOTE)
        return None
    if not permit.allowed(access.OVERRIDE):
        return None
    label = demand_view.selection_label(*pick)
    widgets.fresh(OVERRIDE_CLEARED)
    with st.form("dem_override_form", clear_on_submit=False):
        st.markdown(
            f"**Override the forecast of {escape_md(label)}** "
            f"({demand_view.OVERRIDE_LEVEL_TEXT[level].lower().replace('sku', 'SKU')} level)"
        )
        c = st.columns(4)
        start = c[0].selectbox("From", months, key="dem_ov_start", format_func=fmt.month)
        end = c[1].selectbox("To", months, key="dem_ov_end", format_func=fmt.month)
        kind = c[2].radio(
            "Change",
            list(demand_view.KIND_LABEL),
            key="dem_ov_kind",
            format_func=demand_view.KIND_LABEL.get,
        )
        value = c[3].number_input(
            "Value",
            value=0.0,
            step=10.0,
            key="dem_ov_value",
            help="units per month for the whole selection, or % change",
        )
        c = st.columns(2, vertical_alignment="bottom")
        reason = c[0].text_input("Reason", key="dem_ov_reason", placeholder="e.g. key account win")
        c[1].caption(recorded_as())
        if not st.form_submit_button("Save override", type="primary", key="dem_ov_save"):
            return None
    st.session_state.pop(STACK, None)  # a new submission replaces a question left open
    if not value and not (reason or "").strip():
        st.info(EMPTY_NOTE)
        return None
    return demand_view.make_override(pick, start, end, kind, value, reason)


def ask_to_stack(ov: Override, found: stacking.Stacking, pick: tuple) -> None:
    """Keep `ov` waiting for the planner's answer to `found` and rerun, so the
    question (`stack_question`) shows under the form; nothing is stored yet."""
    st.session_state[STACK] = (ov, found, tuple(pick))
    st.rerun()


def stack_question(pick: tuple) -> Override | None:
    """The question of an override waiting to stack on earlier ones of selection
    `pick`, with the combined effect: the override to store once "Stack them" is
    pressed, else None ("Cancel" drops it: nothing is stored). A question of another
    selection is dropped."""
    waiting = st.session_state.get(STACK)
    if waiting is None:
        return None
    ov, found, where = waiting
    if where != tuple(pick):
        st.session_state.pop(STACK, None)
        return None
    with st.container(border=True, key="dem_ov_stack_box"):
        st.warning(escape_md(found.question), icon=":material/layers:")
        if effect := stacking.totals_text(found, ov):
            st.markdown(escape_md(effect))
        c = st.columns([1, 1, 3])
        if c[0].button("Stack them", key="dem_ov_stack", type="primary"):
            st.session_state.pop(STACK, None)
            return ov
        if c[1].button("Cancel", key="dem_ov_cancel"):
            st.session_state.pop(STACK, None)
            st.rerun()
    return None


def withdraw_form(live: Sequence[int]) -> tuple[int, str] | None:
    """Under the override history: (override id, why) of the override to withdraw, once
    "Withdraw" is pressed; else None (and for a person who may not)."""
    if not permit.allowed(access.OVERRIDE):
        return None
    widgets.fresh(WITHDRAW_CLEARED)
    c = st.columns([1, 2, 1], vertical_alignment="bottom")
    oid = c[0].selectbox("Withdraw override", live, key="dem_wd_id", format_func="#{}".format)
    note = c[1].text_input("Why (optional)", key="dem_wd_note")
    go = c[2].button("Withdraw", key="dem_wd_go")
    st.caption(recorded_as())
    return (int(oid), note) if go else None


# --- Scenarios (step 4) ---------------------------------------------------------------
def lever_controls(space: LeverSpace, on_reset: dict) -> None:
    """The Scenarios page's levers, by group (`sop.scenario.lever_widgets`), under
    a reset button that puts every lever back to the baseline and sets `on_reset`."""
    st.button(
        "Reset to baseline",
        key="scn_reset",
        icon=":material/restart_alt:",
        on_click=lambda: st.session_state.update(
            lever_widgets.widget_state(Levers(), space) | on_reset
        ),
    )
    widgets = lever_widgets.lever_widgets(space)
    for group in lever_widgets.GROUPS:
        with st.expander(group, expanded=group == lever_widgets.DEMAND):
            for w in (w for w in widgets if w.group == group):
                if w.kind in ("slider", "number"):
                    (st.slider if w.kind == "slider" else st.number_input)(
                        w.label,
                        w.lo,
                        w.hi,
                        step=w.step,
                        format=w.format,
                        key=w.key,
                        help=w.help,
                    )
                elif w.kind == "toggle":
                    st.toggle(w.label, key=w.key, help=w.help)
                else:
                    st.selectbox(
                        w.label,
                        w.options,
                        key=w.key,
                        help=w.help,
                        format_func=w.shown,  # stored 'YYYY-MM', shown 'Nov 2026'
                    )


# --- Executive S&OP (step 5) ----------------------------------------------------------
def entry_form(
    title: str,
    icon: str,
    label: str,
    labels: dict,
    note_label: str,
    button: str,
    act: Callable[[int, str], Outcome],
    key: str,
    action: str,
) -> tuple[int, Outcome] | None:
    """Pick a log entry, give a note, act on it (`act(entry_id, note)`, a new log entry
    by the session's person, who needs `action`): (the entry picked, the outcome) once
    the button is pressed, else None."""
    widgets.fresh(entry_cleared(key))
    with st.expander(title, icon=icon):
        if not permit.allowed(action):
            return None
        c = st.columns([2, 2, 1], vertical_alignment="bottom")
        target = c[0].selectbox(
            label,
            list(labels),
            key=f"{key}_target",
            format_func=lambda i: f"#{i} {labels[i]}",
        )
        note = c[1].text_input(note_label, key=f"{key}_note")
        if c[2].button(button, key=f"{key}_go"):
            return target, act(int(target), note)
        st.caption(recorded_as())
    return None


def approve_form(
    choices: dict[int, tuple[str, Levers]],
    cycle: str,
    show: Callable[[int], object] | None = None,
) -> tuple[int, str] | None:
    """The Decisions page's approval: (saved scenario id, 0 for the baseline; note) once
    "Approve" is pressed, else None (and for a person who may not approve). The plan is
    picked outside the form, so picking it reruns the page and `show(id)` draws what
    the picked plan is worth (its figures, a shortfall) above the note and the button."""
    if not permit.allowed(access.APPROVE):
        return None
    widgets.fresh(APPROVE_CLEARED)
    with st.container(border=True, key="dec_approve_box"):
        sid = st.selectbox(
            "Plan",
            list(choices),
            key="dec_plan",
            format_func=lambda i: "Baseline (nothing moved)" if i == 0 else f"#{i} {choices[i][0]}",
            help="The baseline or a scenario saved on the Scenarios page.",
        )
        if show is not None and sid is not None:
            show(int(sid))
        with st.form("dec_approve_form", border=False):
            note = st.text_area(
                "Note",
                key="dec_note",
                height=90,
                placeholder="Why this plan; conditions; what was ruled out",
            )
            go = st.form_submit_button(
                f"Approve for the {cycle} cycle",
                type="primary",
                icon=":material/gavel:",
                key="dec_approve",
            )
            st.caption(recorded_as())
    return (int(sid), note) if go else None


def item_form() -> tuple[str, str, str, date | None] | None:
    """The Decisions page's new question or action: (kind, what, owner, due) once "Add
    to the log" is pressed, else None (and for a person who may not log one)."""
    if not permit.allowed(access.ACTION_ITEM):
        return None
    widgets.fresh(ITEM_CLEARED)
    with st.form("dec_item_form", border=True):
        c = st.columns([1, 2])
        kind = c[0].segmented_control(
            "Kind", ["action", "question"], default="action", required=True, key="dec_item_kind"
        )
        text = c[1].text_input("What", key="dec_item_text")
        c = st.columns(3)
        owner = c[0].text_input("Owner", key="dec_item_owner")
        due = c[1].date_input("Due", value=None, key="dec_item_due", format="YYYY-MM-DD")
        c[2].caption(recorded_as())
        go = st.form_submit_button("Add to the log", icon=":material/add_task:", key="dec_item_add")
    if go and not (text or "").strip() and not (owner or "").strip() and due is None:
        st.info("Nothing to add: the form is empty (an item just added is in the list below).")
        return None
    return (kind, text, owner, due) if go else None
