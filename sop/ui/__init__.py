"""The Streamlit layer: the one package of `sop` that imports Streamlit. Pages import
its modules and the view and chart modules of the steps; never the store, never a
command-line module.

- `router`: the router's mark, and the first call of every page;
- `readers` (steps 1-3: data, demand, supply) and `scenario_readers` (steps 4-5 and
  finance: scenarios, the finance and executive views, the meeting pack): cached
  reads, keyed by store path, dataset version and the stamps of what else they
  depend on, so a rerun never re-reads the store;
- `actions`: every write, each returning an `actions.Outcome`;
- `guards`: page stops that say what to do (`require_dataset`, `require_demand`,
  `exe_page`);
- `widgets`: what pages draw (KPI tiles, flash messages, the data-quality checks,
  the Finance page's scenario box, tables and downloads);
- `say`: `st.caption`, `markdown`, `info`, `warning`, `error` and `success` with
  every "$" escaped (Streamlit reads `$...$` as LaTeX): pages write text through it;
- `upload`: the Data page's upload (files, mapping step, load, forecast, the notes
  of the last upload);
- `forms`: the inputs of a write (an override, the levers, an approval, a log entry),
  handed to `actions`; `settings_forms`: the plan settings (Supply page) and the
  finance settings (Finance page); `budget`: the Finance page's "Load budget";
- `auth`: who the session acts as; `permit`: whether that person sees a write control
  (else why not, in its place); `admin`: the Admin page (people and roles);
- `columns`: the `st.column_config` of the pages' tables.
- `gcfreeze`: keeps Streamlit's garbage collection after every run from walking the
  imported modules (app.py calls it first).

May import any `sop` package (it sits on top, next to `sop.cli`).
"""
