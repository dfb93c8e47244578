"""Step 5, Executive S&OP: one screen for the meeting. The plan of record (or the
baseline) against budget and the previous cycle, revenue with its range, the top risks
and opportunities, the scenarios on the table; what changed; the meeting pack."""

import streamlit as st

from sop.core import fmt
from sop.executive import board as exec_board
from sop.executive import charts as exec_charts
from sop.executive import headline as exec_headline
from sop.executive import risks as exec_risks
from sop.executive import view as exec_view
from sop.finance import risk, service_line
from sop.ui import columns, guards, readers, router, say, scenario_readers, widgets
from sop.ui import comments as comments_ui
from sop.ui import grid as grid_view

router.through_router()

POLICY = readers.plan_policy()[0]


def render_header(view, present: bool) -> None:
    if view.approved is not None:
        a = view.approved
        status = (
            f"Plan of record: **{fmt.md(view.plan_name)}**, approved by "
            f"{fmt.md(a['author'])} on {a['made_at']:%d %b %Y}"
        )
    else:
        status = "No plan of record yet: showing the **baseline** (approve one on Decisions)"
    prev = (
        f" · arrows: change vs the previous plan of record, "
        f"{fmt.md(view.previous.scenario_name)} ({exec_view.fmt_cycle(view.previous.cycle)})"
        if view.previous
        else ""
    )
    st.caption(
        f"{exec_view.fmt_cycle(view.cycle)} cycle · {status}{prev} · money in {view.currency}"
    )


def render_middle(view, height: int, font: int) -> None:
    left, right = st.columns([1, 1])
    left.plotly_chart(
        exec_charts.revenue_chart(view.band, view.currency, height=height, font_size=font),
        width="stretch",
        key="exe_revenue_chart",
        theme=None,
    )
    with right:
        st.markdown("**Top risks (−) and opportunities (+)**: gross margin at stake")
        top = exec_risks.top(view.risks, n=8, per_category=3)
        # what the list leaves out, counted by kind: its line takes from the list's
        # height, so the summary still fits one 1080p screen
        rest = exec_risks.rest_note(view.risks, n=8, per_category=3)
        if top.empty:
            st.success("No risk or opportunity worth money in this plan.")
        else:
            st.html(
                exec_risks.html_table(
                    top,
                    view.currency,
                    height=height - 30 - (40 if rest else 0),
                    font_px=16 if font > 13 else 13,
                )
            )
        if rest:
            st.caption(rest)


def render_board(view, present: bool) -> None:
    st.markdown("**Scenarios on the table** (★ best in each column, ✔ plan of record)")
    board = exec_board.board_text(view.board, view.currency, view.por_name)
    if present:  # a grid keeps its small font; a plain table grows with the page
        # a table's cells are Markdown: plan names as typed, escaped
        st.table(
            widgets.dollar_cells(board.assign(Plan=board["Plan"].map(fmt.md)).set_index("Plan"))
        )
    else:
        st.dataframe(
            board,
            hide_index=True,
            key="exe_board",
            height="content",
            column_config=columns.helped(exec_board.board_help(view.board)),
        )
    if note := exec_board.board_note(view.board):  # no revenue or margin ★: demands differ
        say.caption(note)


def render_changes(view, font: int) -> None:
    st.subheader("What changed since last cycle")
    if view.bridge is None:
        st.info(
            "No earlier cycle has a plan of record yet: the bridge appears from the "
            "second approved cycle on."
        )
        return
    st.plotly_chart(
        exec_charts.plan_bridge_chart(view.bridge, view.currency, font_size=font),
        width="stretch",
        key="exe_bridge_chart",
        theme=None,
    )
    # a table, not a grid: the "Made of" sentences wrap and read whole on a shared screen
    bridge = exec_view.bridge_text(view.bridge, view.currency)
    bridge = bridge.assign(Step=bridge["Step"].map(fmt.md))  # plan names, as typed
    st.table(widgets.dollar_cells(bridge), hide_index=True)
    st.caption(
        "Demand = volume + mix at the previous margins per unit; capacity = lost "
        "sales, labour and overtime, subcontracting; cost = material and stock. "
        f"Previous plan: {fmt.md(view.previous.scenario_name)}, data "
        f"v{view.previous.dataset_version}. Steps add up exactly."
    )


def render_pack(path: str, version: int, stamp: tuple, log_stamp: tuple) -> None:
    st.subheader("Meeting pack")
    c = st.columns([1, 1, 3])
    name = f"sop_pack_v{version}"
    c[0].download_button(
        "Excel workbook",
        key="exe_pack_xlsx",
        mime=widgets.XLSX,
        data=lambda: scenario_readers.exe_pack(path, version, stamp, log_stamp, POLICY, "xlsx"),
        file_name=f"{name}.xlsx",
        on_click="ignore",
        icon=":material/table_view:",
    )
    c[1].download_button(
        "HTML report",
        key="exe_pack_html",
        mime="text/html",
        data=lambda: scenario_readers.exe_pack(path, version, stamp, log_stamp, POLICY, "html"),
        file_name=f"{name}.html",
        on_click="ignore",
        icon=":material/description:",
        help="One file, opens in any browser, works offline.",
    )
    c[2].caption(
        "Summary, demand, supply, finance, scenarios, decisions, open comments, risks, "
        "what changed and the S&OE weeks; both carry the dataset version, the cycle and "
        "the time they were made. Also: `python -m sop pack --out DIR`."
    )


top = st.columns([5, 1.5], vertical_alignment="center")
top[0].title("Executive S&OP")
present = top[1].toggle(
    "Presentation mode", key="exe_present", help="Larger fonts and no sidebar, for a shared screen."
)
widgets.meeting_style(present)
page = guards.exe_page(
    POLICY,
    "The executive view needs a demand plan: run `python -m sop "
    "forecast` (or forecast on the Demand page).",
)
view = page.view
render_header(view, present)
# a short plan, or one on time only by drawing safety stock, says so before its figures
ranges = risk.p10_p90(view.current.risk)
if line := service_line.plan_line(view.current.kpis, view.currency, ranges):
    st.warning(fmt.md(line), icon=":material/report:")
for note in view.notes[1:] if view.approved is None else view.notes:
    say.warning(note)
headline = exec_view.headline_tiles(view, POLICY.horizon)
for start in range(0, len(headline), exec_headline.HEADLINE_ROW):
    widgets.tiles(headline[start : start + exec_headline.HEADLINE_ROW])
render_middle(view, height=420 if present else 250, font=18 if present else 13)
render_board(view, present)
grid_view.executive_grid(
    page.path, page.version, page.stamp, view.current.levers, POLICY, view.currency, present
)
render_changes(view, font=18 if present else 13)
comments_ui.open_comments(view.risks)  # items gone marked as the picker places them
comments_ui.risk_thread(view.risks)
render_pack(page.path, page.version, page.stamp, page.log_stamp)
