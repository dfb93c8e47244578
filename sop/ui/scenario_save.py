"""The "Save scenario" form: a name and a description, saved with the levers given
(`actions.save_scenario`) for the dataset version shown. The Scenarios page's Save tab
and the Goal tab's answer both draw it, each under its own key prefix, so their
widgets and their flash messages stay apart.

Drawn only for a person who may save scenarios (`permit.allowed`). It stores once:
after a save the page reruns with a flash naming the new scenario and the form draws
itself empty (`widgets.fresh`), so Enter then a click sends an empty form, which
stores nothing. A refused save keeps what was typed and says why. The caller shows
the flash (`widgets.show_flash(flash_key)`) where it wants it on its page.
"""

from __future__ import annotations

import streamlit as st

from sop.core import access, fmt
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.ui import actions, permit, scenario_readers, widgets
from sop.ui.settings_forms import recorded_as


def cleared(prefix: str) -> dict[str, str]:
    """What the form keyed `prefix` holds once a scenario is saved: name and
    description empty (`widgets.flash(clear=...)`, `widgets.fresh`)."""
    return {f"{prefix}_save_name": "", f"{prefix}_save_description": ""}


def save_form(
    levers: Levers,
    path: str,
    version: int,
    *,
    prefix: str,
    flash_key: str,
) -> None:
    """The form `<prefix>_save_form` with `<prefix>_save_name` and
    `<prefix>_save_description`: on "Save scenario", `levers` are saved under the name
    for dataset `version` of the store at `path`, and the page reruns with the saved
    message under `flash_key`; a refusal is shown as an error. A caption says whose name the record
    carries (`recorded_as`)."""
    if not permit.allowed(access.SCENARIO):
        return
    empty = cleared(prefix)
    widgets.fresh(empty)
    with st.form(f"{prefix}_save_form"):
        name = st.text_input("Scenario name", key=f"{prefix}_save_name", max_chars=10_000)
        text = st.text_area(
            "Description (what and why)", key=f"{prefix}_save_description", max_chars=10_000
        )
        st.caption(recorded_as())
        if st.form_submit_button("Save scenario", icon=":material/save:"):
            saved = actions.save_scenario(levers, name, text, version)
            if not saved.ok:
                st.error(fmt.md(saved.message))
            else:
                every = scenario_readers.scenario_list(path, include_archived=True)
                widgets.flash(flash_key, saved_scenarios.saved_text(every, saved.value), empty)
