"""A new budget (the annual operating plan) without reloading the data.

Finance replaces the `budget` table of the active dataset: a new dataset version,
made in one transaction, holds every other table of the active version exactly as it
was (copied inside DuckDB, nothing goes through Python) and the new budget; it belongs
to the same company, becomes the active version, and old versions are pruned as on
every load (`Store.load`). The forecast runs of the active version are copied with it:
they do not read the budget, so the new version opens with the same demand plan and
nobody has to refit it. Loading a budget needs `access.BUDGET` (finance or a data
steward), not the right to load datasets. The caller validates the budget frame
(`sop.data.validate`); a failure rolls everything back.
"""

from __future__ import annotations

import pandas as pd

from sop.core import access, schema
from sop.core.tables import TABLE_ORDER
from sop.store import forecasts
from sop.store.connection import StoreError
from sop.store.core import VERSION_COL, Store, _table_ident

# the tables of a forecast run besides `forecast_runs` (`sop.store.forecasts`)


def load_budget(store: Store, budget: pd.DataFrame, name: str, source: str = "") -> int:
    """Make a new active dataset version: the active version's tables with `budget`
    (validated, the `budget` table's columns) in place of its budget; returns the new
    version. AccessDenied unless the acting person may load a budget; StoreError when
    nothing is loaded. Nothing changes when it fails."""
    access.require(store.actor, access.BUDGET)
    with store.transaction() as con:
        row = con.execute(
            "SELECT version, as_of, company, currency FROM datasets WHERE active"
        ).fetchone()
        if row is None:
            raise StoreError(
                "No dataset is loaded yet, so there is nothing to put the budget next to: "
                "load the data first (Data page, or `python -m sop load DIR`)."
            )
        old, as_of, company, currency = row
        version = con.execute("SELECT COALESCE(MAX(version), 0) + 1 FROM datasets").fetchone()[0]
        con.execute(
            "INSERT INTO datasets (version, name, source, loaded_at, as_of, company, "
            "currency, active, loaded_by) VALUES (?, ?, ?, now()::TIMESTAMP, ?, ?, ?, FALSE, ?)",
            [version, name, source, as_of, company, currency, store.actor.signature],
        )
        for tname in TABLE_ORDER:
            if tname == schema.BUDGET:
                continue
            t = _table_ident(tname)
            con.execute(
                f"INSERT INTO {t} BY NAME SELECT * REPLACE (CAST(? AS BIGINT) AS "
                f"{VERSION_COL}) FROM {t} WHERE {VERSION_COL} = ?",
                [version, old],
            )
        if len(budget):
            Store._insert(con, schema.BUDGET, budget, version)
        forecasts.copy_runs(con, old, version)
        con.execute("UPDATE datasets SET active = (version = ?)", [version])
        Store._prune(con)
    return int(version)
