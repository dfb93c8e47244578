"""The settings of record (`SupplyPolicy`), in two forms for two roles.

The Supply page holds the plan settings (capacity, inventory, backlog...: a supply
planner saves them, `access.PLAN_SETTINGS`); the Finance page holds the finance
settings (`sop.supply.policy.FINANCE_FIELDS`: revenue basis and booking, the
Executive risk thresholds; finance saves them, `access.FINANCE_SETTINGS`). Both save
the one policy of record through `actions.save_policy`, each changing only its own
fields, and `sop.supply.settings` refuses a save that changes a field of the other
role. The Supply page's widgets also try settings on that page only (a what-if,
nothing stored), so everyone may move them; only the save is for the role.
"""

from __future__ import annotations

import streamlit as st

from sop.core import access
from sop.scenario.wording import escape_md
from sop.supply.policy import (
    CHOICE_LABELS,
    FINANCE_FIELDS,
    SupplyPolicy,
    field_help,
    field_labels,
    parse_units,
    units_text,
)
from sop.ui import actions, auth, permit, readers, widgets

FINANCE_FLASH = "_fin_settings_flash"


def recorded_as() -> str:
    """The caption under a write: whose name the record will carry."""
    return f"Recorded as {escape_md(auth.current_actor().signature)}"


def _policy_widget(
    box, name: str, default: object, label: str, text: str, choices, prefix: str = "sup", **kw
) -> object:
    key = f"{prefix}_{name}"
    if isinstance(default, bool):
        return box.toggle(label, value=default, key=key, help=text, **kw)
    if isinstance(default, tuple):  # (family, units) pairs, typed as Cooling=500,Heating=200
        typed = box.text_input(label, units_text(default), key=key, help=text, **kw)
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
            **kw,
        )
    if isinstance(default, int):
        return int(box.number_input(label, 1, 60, default, key=key, help=text, **kw))
    return box.number_input(label, 0.0, 1000.0, default, 0.5, key=key, help=text, **kw)


# --- Supply page: the plan settings -------------------------------------------------------
def policy_controls() -> SupplyPolicy:
    """The Supply page's plan settings: one widget per plan field of SupplyPolicy (the
    finance fields keep their values of record), keyed `sup_<field>` and opening on the
    settings of record: choices, then percentages, then switches, each group on its own
    row; the save under them. Returns the settings on screen."""
    labels, values, fields = field_labels(), {}, field_help()
    stored, who = readers.plan_policy()
    plan = {n: f for n, f in fields.items() if n not in FINANCE_FIELDS}
    rows = [
        [n for n, f in plan.items() if not isinstance(f[2], (bool, float))],
        [n for n, f in plan.items() if isinstance(f[2], float)],
        [n for n, f in plan.items() if isinstance(f[2], bool)],
    ]
    with st.expander("Plan settings (policy)", expanded=False, icon=":material/tune:"):
        for names in rows:
            cols = st.columns(4)
            for k, name in enumerate(names):
                text, choices, _ = fields[name]
                values[name] = _policy_widget(
                    cols[k % 4], name, getattr(stored, name), labels[name], text, choices
                )
        policy = stored.replace(**values)
        plan_policy_form(policy, stored, who)
    return policy


def _record_text(who: str) -> str:
    return escape_md(who) if who else "the defaults"


def plan_policy_form(policy: SupplyPolicy, stored: SupplyPolicy, who: str) -> None:
    """Under the Supply page's settings: make them the plan settings of record (a
    supply planner); anyone else reads why not."""
    st.caption(
        "Scenarios, Compare, Finance and the Executive pages plan with the plan "
        f"settings of record ({_record_text(who)}). "
        + (
            "These are they."
            if policy == stored
            else "**The settings above differ**: they apply on this page only until saved."
        )
        + " Revenue basis and the risk thresholds are the finance settings (Finance page)."
    )
    if not permit.allowed(access.PLAN_SETTINGS):
        return
    c = st.columns([2, 1], vertical_alignment="bottom")
    c[0].caption(recorded_as())
    if c[1].button(
        "Use these settings on every page",
        key="sup_settings_save",
        disabled=policy == stored,
    ):
        outcome = actions.save_policy(policy)
        if not outcome.ok:
            st.error(escape_md(outcome.message))
        else:
            st.rerun()


# --- Finance page: the finance settings ---------------------------------------------------
def finance_settings() -> None:
    """The Finance page's settings of record: revenue basis and booking, the risk
    bands off budget and the on-time target, saved with "Save finance settings" (role
    finance); read-only for anyone else, with why."""
    labels, fields = field_labels(), field_help()
    stored, who = readers.plan_policy()
    widgets.show_flash(FINANCE_FLASH)
    may = permit.can(access.FINANCE_SETTINGS)
    with st.expander("Finance settings", icon=":material/tune:"):
        st.caption(
            "How revenue is valued and booked, and when a family off its budget or "
            "below the on-time target is an Executive risk. Every page uses the settings "
            f"of record ({_record_text(who)}); the plan settings are on the Supply page."
        )
        box = st.form("fin_settings_form", border=False) if may else st.container()
        with box:
            cols = st.columns(len(FINANCE_FIELDS))
            values = {
                name: _policy_widget(
                    col,
                    name,
                    getattr(stored, name),
                    labels[name],
                    fields[name][0],
                    fields[name][1],
                    prefix="fin",
                    disabled=not may,
                )
                for col, name in zip(cols, FINANCE_FIELDS)
            }
            if not may:
                permit.allowed(access.FINANCE_SETTINGS)
                return
            c = st.columns([2, 1], vertical_alignment="bottom")
            c[0].caption(recorded_as())
            go = c[1].form_submit_button(
                "Save finance settings", type="primary", key="fin_settings_save"
            )
    if not go:
        return
    policy = stored.replace(**values)
    if policy == stored:
        st.info("Nothing to save: these are the finance settings of record.")
        return
    outcome = actions.save_policy(policy)
    if not outcome.ok:
        st.error(escape_md(outcome.message))
        return
    widgets.flash(FINANCE_FLASH, "Finance settings saved: every page uses them now.")
