"""S&OP Studio: the domain package behind the Streamlit pages and `python -m sop`.

Sub-packages follow the steps of the monthly S&OP cycle and are stacked so that
imports only point down (a package may import any package below it, never one
above; there are no import cycles):

    sop.ui         the only Streamlit code: cached readers, write actions, guards,
                   widgets, forms, column configs (pages import it)
    sop.cli        the command line, one module per command group
    sop.executive  step 5: decisions, plan of record, risks, hand-off, meeting pack
    sop.scenario   step 4: levers, applying them, evaluation, lever space, URL, compare
    sop.finance    what a plan is worth: P&L, the one KPI catalogue, tiles, risk,
                   bridges, landing, finance export
    sop.supply     step 3: policy, inputs, LP (HiGHS), results, explanations, capacity
    sop.demand     step 2: forecast engine, overrides, consensus demand plan
    sop.data       step 1: readers, validation, demo company, data views
    sop.store      DuckDB only; imports only sop.core; rows, DataFrames and JSON text
    sop.core       schema, formats, months, Excel tables, chart theme

`docs/architecture.md` draws the layers and says where a new feature goes.
"""
