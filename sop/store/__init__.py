"""The store package: the only code that talks to DuckDB.

`connection` opens the file: its path, the write lock, the DDL registry (`locking`:
the turns processes take on the file; `scratch`: temporary Parquet files); `core`
holds the `Store` handle and the versioned datasets. Each later capability keeps its
own tables in a sibling module (forecasts, overrides, plans, scenarios, decisions)
that registers its DDL with `connection.register_ddl` and works through
`Store.connect()`. `scope` says which company a saved item belongs to (the company
of the dataset version it was made on), and migrates stores written before items
carried it. Every write checks the acting
person's role first (`Store.actor`, `sop.core.access.require`) and records their
signature as its author; a refused write changes nothing.

May import: `sop.core` only. The store takes and returns rows, DataFrames and JSON
text; the step that owns a type converts (`sop.scenario.saved` for `Levers`,
`sop.supply.settings` for `SupplyPolicy`, `sop.demand.overrides.as_row` for an
`Override`).
"""

from sop.store.connection import ROOT, StoreError, default_path, register_ddl, write_lock
from sop.store.core import KEEP_VERSIONS, DatasetInfo, Store

__all__ = [
    "KEEP_VERSIONS",
    "ROOT",
    "DatasetInfo",
    "Store",
    "StoreError",
    "default_path",
    "register_ddl",
    "write_lock",
]
