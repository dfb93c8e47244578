"""S&OP Studio: the router. Pages follow the five steps of the monthly S&OP cycle.

When sign-in is configured (`[auth]` in `.streamlit/secrets.toml`, docs/security.md),
nobody sees a page before signing in: `auth.gate()` shows the sign-in screen and stops."""

import streamlit as st

from sop.core import fmt
from sop.ui import auth, gcfreeze, readers, router

gcfreeze.after_imports()  # Streamlit's collection after each run skips the modules
st.set_page_config(page_title="S&OP Studio", page_icon=":material/insights:", layout="wide")
auth.gate()

DATA = st.Page("pages/data.py", title="Data", icon=":material/database:", url_path="data")

PAGES = {
    "1 · Data gathering": [router.home_page(DATA, "Data"), DATA],
    "2 · Demand planning": [
        st.Page(
            "pages/demand.py", title="Demand", icon=":material/trending_up:", url_path="demand"
        ),
    ],
    "3 · Supply planning": [
        st.Page("pages/supply.py", title="Supply", icon=":material/factory:", url_path="supply"),
    ],
    "4 · Reconciliation": [
        st.Page(
            "pages/scenarios.py", title="Scenarios", icon=":material/tune:", url_path="scenarios"
        ),
        st.Page(
            "pages/compare.py",
            title="Compare",
            icon=":material/compare_arrows:",
            url_path="compare",
        ),
    ],
    "5 · Executive S&OP": [
        st.Page(
            "pages/executive.py",
            title="Executive",
            icon=":material/co_present:",
            url_path="executive",
        ),
        st.Page(
            "pages/decisions.py", title="Decisions", icon=":material/gavel:", url_path="decisions"
        ),
        st.Page(
            "pages/handoff.py",
            title="Hand-off (S&OE)",
            icon=":material/event_note:",
            url_path="handoff",
        ),
    ],
    "Finance": [
        st.Page(
            "pages/finance.py", title="Finance", icon=":material/payments:", url_path="finance"
        ),
    ],
    "Admin": [
        st.Page(
            "pages/admin.py",
            title="Admin",
            icon=":material/admin_panel_settings:",
            url_path="admin",
        ),
    ],
}

nav = st.navigation(PAGES)
router.mark_routed()

with st.sidebar:
    info = readers.active()
    if info is None:
        st.caption("No dataset loaded")
    else:
        st.markdown(f"**{fmt.md(info.company)}**")
        st.caption(
            f"Dataset {fmt.md(info.name)} · version {info.version}  \n"
            f"Actuals to {fmt.month(info.as_of)} · {fmt.md(info.currency)}"
        )
    auth.sidebar()

nav.run()
