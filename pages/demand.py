"""Step 2, Demand planning: the statistical forecast, how good it is, and the consensus."""

import streamlit as st

from sop import ui
from sop.core import charts, fmt, schema
from sop.demand import accuracy
from sop.demand import charts as demand_charts
from sop.demand import view as demand_view
from sop.demand.engine import LEVELS, ForecastSettings
from sop.demand.plan import has_loaded_consensus

ui.through_router()

ALL = "(all)"


def render_run(run) -> None:
    cur = run.settings if run else {}
    with st.expander("Statistical forecast: settings and refresh", expanded=run is None):
        c = st.columns(3)
        level = c[0].selectbox(
            "Fit models at",
            LEVELS,
            key="dem_level",
            index=LEVELS.index(cur.get("level", LEVELS[0])),
            format_func=demand_view.LEVEL_LABEL.get,
        )
        horizon = c[1].number_input(
            "Horizon (months)", 1, 60, int(cur.get("horizon", 18)), key="dem_horizon"
        )
        promos = c[2].toggle(
            "Use promotions", bool(cur.get("use_promotions", True)), key="dem_promos"
        )
        settings = ForecastSettings(level=level, horizon=int(horizon), use_promotions=promos)
        same = run is not None and settings.key() == run.settings_key
        if run is not None:
            st.caption(demand_view.run_caption(run))
        if st.button(
            "Refit the forecast" if same else "Run forecast",
            key="dem_run",
            type="secondary" if same else "primary",
        ):
            ui.demand_run_forecast(settings, st.progress(0.0, text="Preparing the series…"))
            st.session_state["dem_flash"] = "Forecast stored; the consensus below uses it."
            st.rerun()


def render_picker(t) -> tuple:
    c, chosen = st.columns(3), (lambda v: None if v == ALL else v)
    fams, _, regions = demand_view.picker_options(t[schema.PRODUCTS], t[schema.SALES], None)
    family = chosen(c[0].selectbox("Family", [ALL, *fams], key="dem_family"))
    skus = demand_view.picker_options(t[schema.PRODUCTS], t[schema.SALES], family)[1]
    sku = c[1].selectbox("SKU", [ALL, *skus], key="dem_sku")
    region = c[2].selectbox("Region", [ALL, *regions], key="dem_region")
    return family, chosen(sku), chosen(region)


def render_accuracy(path, info, run, pick, stamp) -> None:
    if run is None:
        return st.info("No statistical forecast is stored, so there is no backtest to show.")
    series, fam = ui.demand_accuracy(path, info.version, run.run_id)
    cols, overall = ui.demand_columns(), fam.iloc[-1]
    st.markdown(demand_view.fva_sentence(overall))
    st.dataframe(fam, hide_index=True, key="dem_family_acc", column_config=cols)
    st.markdown("**Consensus vs statistical forecast** (earlier cycles against actuals)")
    fva = ui.demand_consensus_fva(path, info.version, stamp)
    (st.caption if fva.measurable else st.info)(fva.message)
    if fva.measurable:
        st.dataframe(fva.table, hide_index=True, key="dem_cons_fva", column_config=cols)
    st.markdown(f"**Series in {demand_view.selection_label(*pick)}**: chosen method and backtest")
    st.dataframe(
        demand_view.pick(series, *pick), hide_index=True, key="dem_series_acc", column_config=cols
    )
    st.markdown(demand_view.FLAGGED_NOTE)
    st.dataframe(
        demand_view.without_empty_columns(accuracy.flagged(series)),
        hide_index=True,
        key="dem_flagged",
        column_config=cols,
    )


def render_editor(months, pick) -> None:
    level = demand_view.override_level(*pick)
    if level is None:
        return st.info(demand_view.PICK_NOTE)
    label = demand_view.selection_label(*pick)
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
            return
    oid, problems = ui.demand_add_override(
        demand_view.make_override(pick, start, end, kind, value, reason, author)
    )
    if problems:
        return st.error("The override was not saved:\n" + "\n".join(f"- {p}" for p in problems))
    st.session_state["dem_flash"] = f"Override #{oid} on {label} saved; the consensus is updated."
    st.rerun()


def render_history(path, stamp) -> None:
    hist = ui.demand_overrides(path, stamp)
    if hist.empty:
        return st.caption("No override has been made yet.")
    st.dataframe(
        demand_view.history_view(hist),
        hide_index=True,
        key="dem_history",
        column_config=ui.demand_columns(),
    )
    live = demand_view.active_ids(hist)
    if not live:
        return
    c = st.columns([1, 1, 2, 1], vertical_alignment="bottom")
    oid = c[0].selectbox("Withdraw override", live, key="dem_wd_id", format_func="#{}".format)
    who = c[1].text_input("Your name", key="dem_wd_author")
    note = c[2].text_input("Why (optional)", key="dem_wd_note")
    if c[3].button("Withdraw", key="dem_wd_go"):
        if err := ui.demand_withdraw(int(oid), who, note):
            return st.error(err)
        st.session_state["dem_flash"] = f"Override #{oid} withdrawn; it stays in the history."
        st.rerun()


st.title("Demand planning")
st.caption("Statistical forecast, its accuracy, and the consensus the team agrees on.")
if flash := st.session_state.pop("dem_flash", None):
    st.success(flash)
info = ui.require_dataset()
path = str(ui.store().path)
t = ui.tables(path, info.version)
run = ui.demand_run(path, info.version)
loaded = has_loaded_consensus(t)
render_run(run)
if loaded:
    st.info(demand_view.LOADED_NOTE)
elif run is None:
    st.warning(demand_view.NO_RUN_NOTE)
    st.stop()
stamp = ui.demand_stamp(path, info.version)
pick = render_picker(t)
series, marks = ui.demand_series(path, info.version, stamp, *pick)
colors = charts.family_colors(t[schema.PRODUCTS][schema.FAMILY])
cons = ui.demand_consensus(path, info.version, stamp)
tot = demand_view.horizon_totals(cons, *pick)
c = st.columns(3)
c[0].metric(f"Consensus, next {tot['months']} months", fmt.units(tot["consensus"]), border=True)
c[1].metric("Statistical P50, same months", fmt.units(tot["forecast_units"]), border=True)
c[2].metric("Active overrides on this selection", len(marks), border=True)
st.plotly_chart(
    demand_charts.demand_chart(
        series,
        marks,
        f"Demand of {demand_view.selection_label(*pick)} (units/month)",
        colors.get(pick[0], charts.PALETTE[0]),
    ),
    width="stretch",
    key="dem_chart",
)
tabs = st.tabs(["Consensus overrides", "Accuracy, FVA and flagged series", "Export"], key="dem_tab")
with tabs[0]:
    if not loaded:
        render_editor(demand_view.plan_month_options(cons), pick)
    render_history(path, stamp)
with tabs[1]:
    render_accuracy(path, info, run, pick, stamp)
with tabs[2]:
    st.download_button(
        "Download the consensus demand plan (CSV)",
        key="dem_export",
        data=ui.demand_plan_csv(path, info.version, stamp),
        mime="text/csv",
        file_name=f"demand-plan-{info.name}-v{info.version}.csv",
        on_click="ignore",
        type="primary",
    )
    st.caption(demand_view.EXPORT_NOTE)
