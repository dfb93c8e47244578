"""Step 5, Executive S&OP: the decision. Approve a saved scenario (or the baseline) as
the plan of record of the cycle, record open questions and actions, and read the
append-only decision log."""

import streamlit as st

from sop.core import access, fmt, schema
from sop.executive import approval, budget_lines
from sop.executive import view as exec_view
from sop.finance import risk, service_line
from sop.scenario.levers import Levers
from sop.ui import actions, columns, forms, guards, readers, router, say, scenario_readers, widgets
from sop.ui import comments as comments_ui

router.through_router()

POLICY = readers.plan_policy()[0]
FLASH = "_dec_flash"


def entry_form(title, icon, label, labels, note_label, button, act, key, done_text, action) -> None:
    """Pick a log entry, give a note, act on it (a new log entry; needs `action`)."""
    acted = forms.entry_form(title, icon, label, labels, note_label, button, act, key, action)
    if acted is not None and not acted[1].ok:
        st.error(acted[1].message)
    elif acted is not None:
        widgets.flash(FLASH, done_text.format(acted[0]), clear=forms.entry_cleared(key))


def render_figures(
    path: str, version: int, stamp: tuple, currency: str, sid: int, levers, rec
) -> list[str]:
    """The picked plan's headline tiles, each with its change against the plan of record
    (`approval.reference`; the baseline plan when there is none), the caption saying
    what against and what differs (data, plan settings, levers, months covered), under
    revenue and gross margin the plan against the budget over the budget's months; when
    it serves less than all demand on time, the line saying so, and when it is below
    budget for want of supply, the sentence saying how much (`budget_lines.budget_supply`).
    Returns what the confirmation repeats, plain text: the shortfall
    line and the revenue's budget line, each where there is one. The evaluation is the
    one the approval stores (`scenario_readers.scenario`, cached)."""
    with st.spinner("Planning the picked plan…"):
        ev = scenario_readers.scenario(path, version, stamp, levers, POLICY)
        base = (
            scenario_readers.scenario(path, version, stamp, Levers(), POLICY)
            if approval.needs_baseline(rec, sid)
            else None
        )
    if ev is None or not ev.ok:
        why = None if ev is None else ev.plan.explanation
        st.warning(fmt.md(approval.not_planned(why)), icon=":material/error:")
        return []
    picked = approval.Picked.of(sid, version, ev)
    ref = approval.reference(
        rec,
        picked,
        base.kpis if base is not None and base.ok else None,
        readers.cap_names(path, version),  # a supplier cap in the levers as code · name
    )
    say.caption(ref.caption)
    for row in approval.tiles(ev.kpis, currency, picked.month_count, ref, ev.budget):
        widgets.tiles(row)
    line = service_line.plan_line(ev.kpis, currency, risk.p10_p90(ev.risk))
    if line:
        st.warning(fmt.md(line), icon=":material/report:")
    budget = readers.tables(path, version).get(schema.BUDGET)
    if supply := budget_lines.budget_supply(
        ev.pnl, budget, currency, ev.plan.policy.revenue_recognition
    ):
        st.warning(fmt.md(supply), icon=":material/local_shipping:")
    if scope := budget_lines.budget_scope(ev.pnl, budget):
        st.caption(fmt.md(scope))
    return [s for s in (line, budget_lines.budget_line("revenue", ev.budget, currency)) if s]


def render_approve(path: str, version: int, stamp: tuple, view, currency: str) -> None:
    st.subheader("Approve the plan of record")
    choices = scenario_readers.finance_scenarios(path)
    shown: dict[int, list[str]] = {}

    def show(sid: int) -> None:
        shown[sid] = render_figures(path, version, stamp, currency, sid, choices[sid][1], view)

    picked = forms.approve_form(choices, exec_view.fmt_cycle(view.cycle), show)
    if picked is None:
        return
    approved = actions.approve(path, version, stamp, POLICY, *picked)
    if not approved.ok:
        return st.error(approved.message)
    said = "".join(f" {fmt.md(s)}." for s in shown.get(picked[0], []))
    widgets.flash(
        FLASH,
        f"Approved as plan of record of the {exec_view.fmt_cycle(view.cycle)} cycle "
        f"(log entry #{approved.value}).{said}",
        clear=forms.APPROVE_CLEARED,
    )


def render_item_form(view) -> None:
    st.subheader("Open questions and actions")
    item = forms.item_form()
    if item is None:
        return
    added = actions.add_item(view.cycle, *item)
    if not added.ok:
        return st.error(added.message)
    widgets.flash(
        FLASH,
        f"The {item[0]} is in the log.",
        clear=forms.ITEM_CLEARED,
    )


def render_items(view) -> None:
    items = view.items
    if items.empty:
        st.caption("No questions or actions recorded yet.")
        return
    st.dataframe(
        items[["entry_id", "status", "kind", "text", "owner", "due", "raised_by", "closed_note"]],
        hide_index=True,
        key="dec_items",
        placeholder="–",
        column_config=columns.decision_items(),
    )
    open_ = items[items["status"] != "closed"]
    if open_.empty:
        return
    entry_form(
        "Close a question or action",
        ":material/task_alt:",
        "Item",
        dict(zip(open_["entry_id"], open_["text"])),
        "Answer / done how",
        "Close it",
        actions.close_item,
        "dec_close",
        "Item #{} is closed.",
        access.ACTION_ITEM,
    )


def render_log(view) -> None:
    st.subheader("Decision log")
    st.caption("Append-only: nothing is changed or deleted; a reversal is a new entry.")
    if view.log.empty:
        st.info("No decisions yet.")
        return
    config = columns.fit(view.log, columns.decision_log())
    st.dataframe(
        view.log,
        hide_index=True,
        key="dec_log",
        placeholder="–",
        column_config=config,
        # an entry, its service line or a note longer than a column wraps, not cut off
        row_height=columns.WRAP_ROW_PX if columns.too_wide(view.log, config) else None,
    )
    standing = view.log[
        view.log["entry"].str.startswith("Approved") & (view.log["status"] != "reversed")
    ]
    if standing.empty:
        return
    entry_form(
        "Reverse an approval",
        ":material/undo:",
        "Approval",
        dict(zip(standing["entry_id"], standing["entry"])),
        "Why",
        "Reverse",
        actions.revoke,
        "dec_rev",
        "Approval #{} is reversed.",
        access.APPROVE,
    )


st.title("Decisions")
page = guards.exe_page(
    POLICY,
    "Approving a plan needs a demand plan: run `python -m sop "
    "forecast` (or forecast on the Demand page). The decision log, questions "
    "and actions below need none.",
    optional=True,
)
view = page.records
widgets.show_flash(FLASH)
st.caption(
    f"{exec_view.fmt_cycle(view.cycle)} cycle · plan of record: "
    + (f"**{fmt.md(view.plan_name)}**" if view.approved is not None else "none yet")
)
left, right = st.columns(2)
with left:
    if page.view is not None:
        render_approve(page.path, page.version, page.stamp, view, page.view.currency)
    else:
        st.subheader("Approve the plan of record")
        st.caption("Needs a demand plan for the active data (see above).")
with right:
    render_item_form(view)
render_items(view)  # full width: what, owner and due date read in full
render_log(view)
comments_ui.decision_thread(view.log)
