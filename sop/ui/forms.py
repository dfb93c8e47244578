"""Forms: the inputs of a write. Each returns what was typed once its button is
pressed (None before), and the page passes it to `sop.ui.actions`; the plan settings
form saves itself. Every widget has a key namespaced by page.

A form stores once: after a save the page reruns with `widgets.flash(..., clear=
<the form's *_CLEARED>)` and the form draws itself empty (`widgets.fresh`), so Enter
then a click on the button sends an empty form the second time, which stores
nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import pandas as pd
import streamlit as st

from sop.core import fmt
from sop.demand import stacking
from sop.demand import view as demand_view
from sop.demand.overrides import Override
from sop.scenario import space as lever_space
from sop.scenario.levers import Levers
from sop.scenario.wording import escape_md
from sop.supply.policy import (
    CHOICE_LABELS,
    SupplyPolicy,
    field_help,
    field_labels,
    parse_units,
    units_text,
)
from sop.ui import actions, readers, widgets
from sop.ui.actions import Outcome

# what each form holds once its item is saved (`widgets.flash(clear=...)`): the item
# goes, the name of whoever typed it stays (as on the Scenarios page)
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
    label = demand_view.selection_label(*pick)
    widgets.fresh(OVERRIDE_CLEARED)
    with st.form("dem_override_form", clear_on_submit=False):
        st.markdown(
            f"**Override the forecast of {label}** "
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
        c = st.columns(2)
        reason = c[0].text_input("Reason", key="dem_ov_reason", placeholder="e.g. key account win")
        author = c[1].text_input("Your name", key="dem_ov_author")
        if not st.form_submit_button("Save override", type="primary", key="dem_ov_save"):
            return None
    st.session_state.pop(STACK, None)  # a new submission replaces a question left open
    if not value and not (reason or "").strip():
        st.info(EMPTY_NOTE)
        return None
    return demand_view.make_override(pick, start, end, kind, value, reason, author)


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


def withdraw_form(live: Sequence[int]) -> tuple[int, str, str] | None:
    """Under the override history: (override id, name, why) of the override to
    withdraw, once "Withdraw" is pressed; else None."""
    widgets.fresh(WITHDRAW_CLEARED)
    c = st.columns([1, 1, 2, 1], vertical_alignment="bottom")
    oid = c[0].selectbox("Withdraw override", live, key="dem_wd_id", format_func="#{}".format)
    who = c[1].text_input("Your name", key="dem_wd_author")
    note = c[2].text_input("Why (optional)", key="dem_wd_note")
    return (int(oid), who, note) if c[3].button("Withdraw", key="dem_wd_go") else None


# --- Supply planning (step 3) ---------------------------------------------------------
def _policy_widget(box, name: str, default: object, label: str, text: str, choices) -> object:
    key = f"sup_{name}"
    if isinstance(default, bool):
        return box.toggle(label, value=default, key=key, help=text)
    if isinstance(default, tuple):  # (family, units) pairs, typed as Cooling=500,Heating=200
        typed = box.text_input(label, units_text(default), key=key, help=text)
        try:
            return parse_units(typed)
        except ValueError as exc:
            box.error(escape_md(f"{label}: {exc}. The saved value is used."))
            return default
    if choices:
        return box.selectbox(
            label,
            choices,
            choices.index(default),
            key=key,
            help=text,
            format_func=CHOICE_LABELS.get,
        )
    if isinstance(default, int):
        return int(box.number_input(label, 1, 60, default, key=key, help=text))
    return box.number_input(label, 0.0, 1000.0, default, 0.5, key=key, help=text)


def policy_controls() -> SupplyPolicy:
    """The Supply page's plan settings: one widget per SupplyPolicy field, keyed
    `sup_<field>` and opening on the settings of record: choices, then percentages,
    then switches, each group on its own row; the form to save them under it."""
    labels, values, fields = field_labels(), {}, field_help()
    stored = readers.plan_policy()[0]
    rows = [
        [n for n, f in fields.items() if not isinstance(f[2], (bool, float))],
        [n for n, f in fields.items() if isinstance(f[2], float)],
        [n for n, f in fields.items() if isinstance(f[2], bool)],
    ]
    with st.expander("Plan settings (policy)", expanded=False, icon=":material/tune:"):
        for names in rows:
            cols = st.columns(4)
            for k, name in enumerate(names):
                text, choices, _ = fields[name]
                values[name] = _policy_widget(
                    cols[k % 4],
                    name,
                    getattr(stored, name),
                    labels[name],
                    text,
                    choices,
                )
        plan_policy_form(SupplyPolicy(**values))
    return SupplyPolicy(**values)


def plan_policy_form(policy: SupplyPolicy) -> None:
    """Under the Supply page's settings: make them the plan settings of record."""
    stored, who = readers.plan_policy()
    st.caption(
        "Scenarios, Compare, Finance and the Executive pages plan with the plan "
        f"settings of record ({who or 'the defaults'}). "
        + (
            "These are they."
            if policy == stored
            else "**The settings above differ**: they apply on this page only until saved."
        )
    )
    c = st.columns([2, 1], vertical_alignment="bottom")
    author = c[0].text_input("Your name", key="sup_settings_author")
    if c[1].button(
        "Use these settings on every page",
        key="sup_settings_save",
        disabled=policy == stored,
    ):
        outcome = actions.save_policy(policy, author)
        if not outcome.ok:
            st.error(outcome.message)
        else:
            st.rerun()


# --- Scenarios (step 4) ---------------------------------------------------------------
def lever_controls(space: lever_space.LeverSpace, on_reset: dict) -> None:
    """The Scenarios page's levers, by group (`sop.scenario.space.lever_widgets`), under
    a reset button that puts every lever back to the baseline and sets `on_reset`."""
    st.button(
        "Reset to baseline",
        key="scn_reset",
        icon=":material/restart_alt:",
        on_click=lambda: st.session_state.update(
            lever_space.widget_state(Levers(), space) | on_reset
        ),
    )
    widgets = lever_space.lever_widgets(space)
    for group in lever_space.GROUPS:
        with st.expander(group, expanded=group == lever_space.DEMAND):
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
                        format_func=lambda v: v or "(none)",
                    )


# --- Executive S&OP (step 5) ----------------------------------------------------------
def entry_form(
    title: str,
    icon: str,
    label: str,
    labels: dict,
    note_label: str,
    button: str,
    act: Callable[[int, str, str], Outcome],
    key: str,
) -> tuple[int, Outcome] | None:
    """Pick a log entry, give your name and a note, act on it (`act(entry_id, author,
    note)`, a new log entry): (the entry picked, the outcome) once the button is
    pressed, else None."""
    widgets.fresh(entry_cleared(key))
    with st.expander(title, icon=icon):
        c = st.columns([2, 1, 2, 1], vertical_alignment="bottom")
        target = c[0].selectbox(
            label,
            list(labels),
            key=f"{key}_target",
            format_func=lambda i: f"#{i} {labels[i]}",
        )
        who = c[1].text_input("Your name", key=f"{key}_author")
        note = c[2].text_input(note_label, key=f"{key}_note")
        if c[3].button(button, key=f"{key}_go"):
            return target, act(int(target), who, note)
    return None


def approve_form(choices: dict[int, tuple[str, Levers]], cycle: str) -> tuple[int, str, str] | None:
    """The Decisions page's approval: (saved scenario id, 0 for the baseline; approver;
    note) once "Approve" is pressed, else None."""
    widgets.fresh(APPROVE_CLEARED)
    with st.form("dec_approve_form", border=True):
        sid = st.selectbox(
            "Plan",
            list(choices),
            key="dec_plan",
            format_func=lambda i: "Baseline (nothing moved)" if i == 0 else f"#{i} {choices[i][0]}",
            help="The baseline or a scenario saved on the Scenarios page.",
        )
        author = st.text_input("Approver", key="dec_author", placeholder="Your name")
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
    return (int(sid), author, note) if go else None


def item_form() -> tuple[str, str, str, date | None, str] | None:
    """The Decisions page's new question or action: (kind, what, owner, due, raised by)
    once "Add to the log" is pressed, else None."""
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
        author = c[2].text_input("Raised by", key="dec_item_author")
        go = st.form_submit_button("Add to the log", icon=":material/add_task:", key="dec_item_add")
    if go and not (text or "").strip() and not (owner or "").strip() and due is None:
        st.info("Nothing to add: the form is empty (an item just added is in the list below).")
        return None
    return (kind, text, owner, due, author) if go else None
