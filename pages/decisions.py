"""Step 5, Executive S&OP: the decision. Approve a saved scenario (or the baseline) as
the plan of record of the cycle, record open questions and actions, and read the
append-only decision log."""

import streamlit as st

from sop import ui
from sop.executive import view as exec_view
from sop.scenario.compare import escape_md

ui.through_router()

POLICY = ui.plan_policy()[0]
FLASH = "_dec_flash"


def done(message: str, clear: tuple[str, ...] = ()) -> None:
    """Flash `message` and rerun; empty the widgets in `clear` (a form keeps what was
    typed when it is refused, so nothing is lost or silently reset)."""
    for key in clear:
        st.session_state.pop(key, None)
    st.session_state[FLASH] = message
    st.rerun()


def entry_form(
    title: str,
    icon: str,
    label: str,
    labels: dict,
    note_label: str,
    button: str,
    action: str,
    key: str,
    done_text: str,
) -> None:
    """Pick a log entry, give your name and a note, act on it (a new log entry)."""
    with st.expander(title, icon=icon):
        c = st.columns([2, 1, 2, 1], vertical_alignment="bottom")
        target = c[0].selectbox(
            label, list(labels), key=f"{key}_target", format_func=lambda i: f"#{i} {labels[i]}"
        )
        who = c[1].text_input("Your name", key=f"{key}_author")
        note = c[2].text_input(note_label, key=f"{key}_note")
        if c[3].button(button, key=f"{key}_go"):
            error = ui.exe_record(action, entry_id=int(target), author=who, note=note)
            (st.error if error else done)(error or done_text.format(target))


def render_approve(path: str, version: int, stamp: tuple, view) -> None:
    st.subheader("Approve the plan of record")
    choices = ui.finance_scenarios(path)
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
            f"Approve for the {exec_view.fmt_cycle(view.cycle)} cycle",
            type="primary",
            icon=":material/gavel:",
            key="dec_approve",
        )
    if go:
        entry, error = ui.exe_approve(path, version, stamp, POLICY, int(sid), author, note)
        if error:
            st.error(error)
        else:
            done(
                f"Approved as plan of record of the {exec_view.fmt_cycle(view.cycle)} cycle "
                f"(log entry #{entry}).",
                ("dec_note",),
            )


def render_item_form(view) -> None:
    st.subheader("Open questions and actions")
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
    if go:
        error = ui.exe_record(
            "item", cycle=view.cycle, kind=kind, text=text, owner=owner, due=due, author=author
        )
        if error:
            st.error(error)
        else:
            done(f"The {kind} is in the log.", ("dec_item_text", "dec_item_owner", "dec_item_due"))


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
        column_config={
            "entry_id": st.column_config.NumberColumn("#", format="%d"),
            "status": "Status",
            "kind": "Kind",
            "text": st.column_config.TextColumn("What", width="large"),
            "owner": "Owner",
            "due": st.column_config.DateColumn("Due", format="YYYY-MM-DD"),
            "raised_by": "Raised by",
            "closed_note": "How it was closed",
        },
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
        "close",
        "dec_close",
        "Item #{} is closed.",
    )


def render_log(view) -> None:
    st.subheader("Decision log")
    st.caption("Append-only: nothing is changed or deleted; a reversal is a new entry.")
    if view.log.empty:
        st.info("No decisions yet.")
        return
    st.dataframe(
        view.log,
        hide_index=True,
        key="dec_log",
        placeholder="–",
        column_config={
            "entry_id": st.column_config.NumberColumn("#", format="%d"),
            "made_at": st.column_config.DatetimeColumn("Made (UTC)", format="YYYY-MM-DD HH:mm"),
            "cycle": st.column_config.DateColumn("Cycle", format="MMM YYYY"),
            "entry": st.column_config.TextColumn("Entry", width="large"),
            "author": "By",
            "note": st.column_config.TextColumn("Note", width="large"),
            "status": "Status",
        },
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
        "revoke",
        "dec_rev",
        "Approval #{} is reversed.",
    )


st.title("Decisions")
page = ui.exe_page(
    POLICY,
    "Approving a plan needs a demand plan: run `python -m sop "
    "forecast` (or forecast on the Demand page). The decision log, questions "
    "and actions below need none.",
    optional=True,
)
view = page.records
if FLASH in st.session_state:
    st.success(st.session_state.pop(FLASH))
st.caption(
    f"{exec_view.fmt_cycle(view.cycle)} cycle · plan of record: "
    + (f"**{escape_md(view.plan_name)}**" if view.approved is not None else "none yet")
)
left, right = st.columns(2)
with left:
    if page.view is not None:
        render_approve(page.path, page.version, page.stamp, view)
    else:
        st.subheader("Approve the plan of record")
        st.caption("Needs a demand plan for the active data (see above).")
with right:
    render_item_form(view)
render_items(view)  # full width: what, owner and due date read in full
render_log(view)
