"""Step 2, Demand planning: the statistical forecast, how good it is, and the consensus."""

import streamlit as st

from sop.core import access, charts, fmt, schema
from sop.demand import accuracy, reconcile
from sop.demand import charts as demand_charts
from sop.demand import view as demand_view
from sop.demand.engine import LEVELS, ForecastSettings
from sop.demand.plan import has_loaded_consensus
from sop.scenario.wording import escape_md
from sop.ui import actions, columns, forms, guards, permit, readers, router, widgets
from sop.ui import comments as comments_ui

router.through_router()

FLASH = "dem_flash"


def render_run(run) -> None:
    cur = run.settings if run else {}
    with st.expander("Statistical forecast: settings and refresh", expanded=run is None):
        c = st.columns(4)
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
        rec = c[3].selectbox(
            "Levels add up by",
            reconcile.METHODS,
            key="dem_reconcile",
            index=reconcile.METHODS.index(cur.get("reconcile", reconcile.MINT)),
            format_func=reconcile.LABEL.get,
            help=reconcile.HELP,
        )
        settings = ForecastSettings(
            level=level, horizon=int(horizon), use_promotions=promos, reconcile=rec
        )
        same = run is not None and settings.key() == run.settings_key
        if run is not None:
            summary = readers.demand_run_frame(readers.store_path(), run.run_id, "reconciliation")
            st.caption(f"{demand_view.run_caption(run)} {reconcile.sentence(summary)}")
        if permit.allowed(access.FORECAST) and st.button(
            "Refit the forecast" if same else "Run forecast",
            key="dem_run",
            type="secondary" if same else "primary",
        ):
            ran = actions.run_forecast(settings, st.progress(0.0, text="Preparing the series…"))
            if not ran.ok:
                return st.error(ran.message)
            widgets.flash(FLASH, "Forecast stored; the consensus below uses it.")


def render_accuracy(path, info, run, pick, stamp) -> None:
    if run is None:
        return st.info("No statistical forecast is stored, so there is no backtest to show.")
    series, fam = readers.demand_accuracy(path, info.version, run.run_id)

    def table(df, key: str) -> None:  # shares in percent, every column as wide as its text
        rows = columns.demand_rows(df)
        config = columns.fit(rows, columns.demand_columns())
        st.dataframe(rows, hide_index=True, key=key, column_config=config)

    st.markdown(demand_view.fva_sentence(fam.iloc[-1]))
    table(fam, key="dem_family_acc")
    st.markdown("**Consensus vs statistical forecast** (earlier cycles against actuals)")
    fva = readers.demand_consensus_fva(path, info.version, stamp)
    (st.caption if fva.measurable else st.info)(fva.message)
    if fva.measurable:
        table(fva.table, key="dem_cons_fva")
    st.markdown(
        f"**Series in {escape_md(demand_view.selection_label(*pick))}**: chosen method and backtest"
    )
    table(demand_view.pick(series, *pick), key="dem_series_acc")
    st.markdown(demand_view.FLAGGED_NOTE)
    table(demand_view.without_empty_columns(accuracy.flagged(series)), key="dem_flagged")
    render_holdout(info, run, table)


HOLDOUT = 12  # months held out by the check


def render_holdout(info, run, table) -> None:
    """Out-of-sample check of the stored run's settings: the bands' real coverage."""
    done = st.session_state.get("dem_holdout")
    if done and done[0] == (info.version, run.settings_key):
        st.markdown(demand_view.band_sentence(done[1].iloc[-1], HOLDOUT))
        table(done[1], key="dem_holdout_table")
    elif st.button(
        f"Check the bands on a hold-out (last {HOLDOUT} months)",
        key="dem_holdout_run",
        help="Refits every series without its last 12 months and scores the forecast and "
        "its 80 % band on them; nothing is stored. About as long as a forecast run.",
    ):
        t = readers.tables(readers.store_path(), info.version)
        bar = st.progress(0.0, text="Preparing the hold-out…")
        checked = actions.holdout_check(t, ForecastSettings.from_dict(run.settings), bar, HOLDOUT)
        bar.empty()
        if not checked.ok:
            return st.error(checked.message)
        st.session_state["dem_holdout"] = ((info.version, run.settings_key), checked.value)
        st.rerun()


def save_override(override, pick, stack: bool) -> None:
    added = actions.add_override(override, stack)
    if actions.asks_to_stack(added):
        return forms.ask_to_stack(override, added.value, pick)
    if not added.ok:
        return st.error(added.message)
    label = escape_md(demand_view.selection_label(*pick))
    widgets.flash(
        FLASH,
        f"Override #{added.value} on {label} saved; the consensus is updated.",
        clear=forms.OVERRIDE_CLEARED,
    )


def render_editor(months, pick) -> None:
    override = forms.override_form(months, pick)
    if override is not None:
        save_override(override, pick, stack=False)
    stacked = forms.stack_question(pick)
    if stacked is not None:
        save_override(stacked, pick, stack=True)


def render_orphans(path, version, stamp) -> None:
    orphans = readers.demand_in_force(path, version, stamp)[1]
    if orphans.empty:
        return
    st.warning(demand_view.orphans_note(len(orphans)), icon=":material/link_off:")
    st.dataframe(
        demand_view.orphans_view(orphans),
        hide_index=True,
        key="dem_orphans",
        column_config=columns.demand_columns(),
    )


def render_history(path, version, stamp) -> None:
    hist = readers.demand_overrides(path, version, stamp)
    whose = escape_md(readers.company(path, version))
    if hist.empty:
        return st.caption(f"No override has been made yet for {whose}.")
    st.caption(f"Overrides of {whose}: another company's data has its own.")
    st.dataframe(
        demand_view.history_view(hist),
        hide_index=True,
        key="dem_history",
        column_config=columns.demand_columns(),
    )
    live = demand_view.active_ids(hist)
    if not live:
        return
    picked = forms.withdraw_form(live)
    if picked is not None:
        withdrawn = actions.withdraw_override(*picked)
        if not withdrawn.ok:
            return st.error(withdrawn.message)
        widgets.flash(
            FLASH,
            f"Override #{picked[0]} withdrawn; it stays in the history.",
            clear=forms.WITHDRAW_CLEARED,
        )


st.title("Demand planning")
st.caption("Statistical forecast, its accuracy, and the consensus the team agrees on.")
widgets.show_flash(FLASH)
info = guards.require_dataset()
path = readers.store_path()
t = readers.tables(path, info.version)
run = readers.demand_run(path, info.version)
loaded = has_loaded_consensus(t)
render_run(run)
if loaded:
    st.info(demand_view.LOADED_NOTE)
elif run is None:
    st.warning(demand_view.NO_RUN_NOTE)
    st.stop()
stamp = readers.demand_stamp(path, info.version)
pick = widgets.demand_picker(t[schema.PRODUCTS], t[schema.SALES])
series, marks = readers.demand_series(path, info.version, stamp, *pick)
colors = charts.family_colors(t[schema.PRODUCTS][schema.FAMILY])
cons = readers.demand_consensus(path, info.version, stamp)
tot = demand_view.horizon_totals(cons, *pick)
c = st.columns(3)
c[0].metric(f"Consensus, next {tot['months']} months", fmt.units(tot["consensus"]), border=True)
c[1].metric("Statistical P50, same months", fmt.units(tot["forecast_units"]), border=True)
c[2].metric("Active overrides on this selection", len(marks), border=True)
st.plotly_chart(
    demand_charts.demand_chart(
        series,
        marks,
        f"Demand of {fmt.plot_text(demand_view.selection_label(*pick))} (units/month)",
        colors.get(pick[0], charts.PALETTE[0]),
    ),
    width="stretch",
    key="dem_chart",
    theme=None,
)
tabs = st.tabs(["Consensus overrides", "Accuracy, FVA and flagged series", "Export"], key="dem_tab")
with tabs[0]:
    if not loaded:
        render_editor(demand_view.plan_month_options(cons), pick)
        render_orphans(path, info.version, stamp)
    render_history(path, info.version, stamp)
    comments_ui.override_thread(readers.demand_overrides(path, info.version, stamp))
with tabs[1]:
    render_accuracy(path, info, run, pick, stamp)
with tabs[2]:
    st.download_button(
        "Download the consensus demand plan (CSV)",
        key="dem_export",
        data=readers.demand_plan_csv(path, info.version, stamp),
        mime="text/csv",
        file_name=f"demand-plan-{info.name}-v{info.version}.csv",
        on_click="ignore",
        type="primary",
    )
    st.caption(demand_view.EXPORT_NOTE)
