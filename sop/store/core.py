"""The Store and its versioned datasets.

`Store` is the handle every store module works through: the file, the acting person,
and a connection per use (`sop.store.connection`: turns on the file, the write lock,
the DDL the siblings register). Here are also the dataset tables it prepares on a
file's first use, and the versions they hold.

Every dataset load is a new *version*: all its tables are written in one
transaction, then made active. The last `KEEP_VERSIONS` versions are kept so a
planner can go back. Values are always bound parameters; identifiers come only from
`sop.schema` constants. Bulk inserts go through temporary Parquet files
(`sop.store.scratch`).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from sop.core import schema
from sop.core.access import LOAD, Actor, require
from sop.core.months import as_of_month
from sop.core.tables import TABLE_ORDER, TABLES
from sop.store import connection
from sop.store.connection import StoreError, default_path, register_ddl
from sop.store.scratch import as_parquet as as_parquet  # for the sibling modules

STORE_FORMAT = "1"
KEEP_VERSIONS = 5
VERSION_COL = "dataset_version"


def _table_ident(name: str) -> str:
    if name not in TABLES:
        raise StoreError(f"unknown table {name!r}")
    return f'"ds_{name}"'


def _col_ident(table: str, col: str) -> str:
    if col not in TABLES[table].column_names:
        raise StoreError(f"unknown column {table}.{col}")
    return f'"{col}"'


_META_DDL = (
    "CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    "CREATE TABLE IF NOT EXISTS datasets (version BIGINT PRIMARY KEY, name VARCHAR NOT NULL,"
    " source VARCHAR, loaded_at TIMESTAMP NOT NULL, as_of DATE, company VARCHAR,"
    " currency VARCHAR, active BOOLEAN NOT NULL DEFAULT FALSE)",
)


def _data_ddl(name: str) -> str:
    t = TABLES[name]
    cols = ", ".join(
        f"{_col_ident(name, c.name)} {schema.DUCKDB_TYPES[c.dtype]}" for c in t.columns
    )
    return (
        f"CREATE TABLE IF NOT EXISTS {_table_ident(name)} ({VERSION_COL} BIGINT NOT NULL, {cols})"
    )


# stored tables come back typed as validation types them, with no pass over the rows in
# Python: text as `str` (Arrow-backed, missing as NaN), months as datetime64[us]
_TEXT = pd.StringDtype("pyarrow", na_value=float("nan"))
_PANDAS_TYPES = {pa.string(): _TEXT, pa.large_string(): _TEXT}


@dataclass(frozen=True)
class DatasetInfo:
    version: int
    name: str
    source: str
    loaded_at: pd.Timestamp
    as_of: pd.Timestamp | None
    company: str
    currency: str


class Store:
    """A DuckDB file holding dataset versions (and, later, plans and decisions).

    `actor`: who is acting through this handle; every write checks their roles
    (`sop.core.access.require`) and records their `signature`. None: the person at
    this machine (`Actor.local_user()`, every role): the command line and the app
    without sign-in. The app binds the signed-in person (`sop.ui.readers.store`).
    """

    def __init__(self, path: str | Path | None = None, actor: Actor | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.actor = actor if actor is not None else Actor.local_user()

    def as_actor(self, actor: Actor) -> Store:
        """The same store file, acting as `actor`."""
        return Store(self.path, actor)

    def connect(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        """A fresh connection (`sop.store.connection.connect`): waits its turn while
        another process holds the file; StoreError naming the holder past the limit."""
        return connection.connect(self.path, self._ensure_schema)

    def transaction(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        """A connection inside one write transaction: committed if the block ends
        normally, rolled back (store unchanged) if it raises."""
        return connection.transaction(self.path, self._ensure_schema)

    @staticmethod
    def _ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
        """On a file's first use: the format check and the dataset tables, a store written
        before a column joined the model gaining it (`connection.connect` then runs the
        DDL the sibling modules registered)."""
        for ddl in _META_DDL:
            con.execute(ddl)
        fmt = con.execute("SELECT value FROM store_meta WHERE key = ?", ["format"]).fetchone()
        if fmt is None:
            con.execute("INSERT OR IGNORE INTO store_meta VALUES (?, ?)", ["format", STORE_FORMAT])
        elif fmt[0] != STORE_FORMAT:
            raise StoreError(
                f"The store was written in format {fmt[0]}; this version of S&OP "
                f"Studio reads format {STORE_FORMAT}. Load the data again into a "
                "new store (move the old file away first)."
            )
        for name in TABLE_ORDER:
            con.execute(_data_ddl(name))
        # a store written before a column joined the model gains it, empty
        have = set(
            con.execute("SELECT table_name, column_name FROM information_schema.columns").fetchall()
        )
        for name in TABLE_ORDER:
            for c in TABLES[name].columns:
                if (f"ds_{name}", c.name) not in have:
                    con.execute(
                        f"ALTER TABLE {_table_ident(name)} ADD COLUMN "
                        f"{_col_ident(name, c.name)} {schema.DUCKDB_TYPES[c.dtype]}"
                    )

    # --- datasets ------------------------------------------------------------
    def load(
        self,
        tables: dict[str, pd.DataFrame],
        name: str,
        source: str = "",
        company: str | None = None,
    ) -> int:
        """Write validated tables as a new active version, in one transaction. The
        version's company is the `company` table's name, else `company` (e.g. the
        company of the version an upload kept its other tables from), else `name`.

        On any failure the transaction is rolled back and the store is unchanged.
        Returns the new version number. AccessDenied (nothing written) unless the acting
        person may load data (`access.LOAD`).
        """
        require(self.actor, LOAD)
        missing = [n for n, t in TABLES.items() if t.required and n not in tables]
        if missing:
            raise StoreError(f"cannot load: required tables missing: {', '.join(missing)}")
        as_of = as_of_month(tables)
        table = tables.get(schema.COMPANY)
        has_table = table is not None and len(table) > 0
        currency = str(table[schema.CURRENCY].iloc[0]) if has_table else "EUR"
        company_name = str(table[schema.COMPANY_NAME].iloc[0]) if has_table else company or name
        with self.transaction() as con:
            version = con.execute("SELECT COALESCE(MAX(version), 0) + 1 FROM datasets").fetchone()[
                0
            ]
            con.execute(
                "INSERT INTO datasets (version, name, source, loaded_at, as_of, "
                "company, currency, active, loaded_by) VALUES (?, ?, ?, "
                "now()::TIMESTAMP, ?, ?, ?, FALSE, ?)",
                [
                    version,
                    name,
                    source,
                    as_of.date() if as_of is not None else None,
                    company_name,
                    currency,
                    self.actor.signature,
                ],
            )
            for tname in TABLE_ORDER:
                if tname in tables:
                    self._insert(con, tname, tables[tname], version)
            con.execute("UPDATE datasets SET active = (version = ?)", [version])
            self._prune(con)
        return int(version)

    @staticmethod
    def _insert(con: duckdb.DuckDBPyConnection, name: str, df: pd.DataFrame, version: int) -> None:
        t = TABLES[name]
        frame = df.reindex(columns=t.column_names)  # an optional column left out is empty
        if name == schema.CONSENSUS:  # kept in plan order: each read then skips the sort
            frame = frame.sort_values([schema.MONTH, schema.SKU, schema.REGION], ignore_index=True)
        for c in t.columns:
            # text typed at validation (`str`, Arrow-backed) goes to Parquet as it is;
            # anything else is written as Python objects, missing as None
            if c.dtype == schema.STR and not isinstance(frame[c.name].dtype, pd.StringDtype):
                frame[c.name] = frame[c.name].astype("object").where(frame[c.name].notna(), None)
        select = ", ".join(
            f"CAST({_col_ident(name, c.name)} AS {schema.DUCKDB_TYPES[c.dtype]})" for c in t.columns
        )
        with as_parquet(frame) as path:
            names = ", ".join(_col_ident(name, c.name) for c in t.columns)
            sql = (
                f"INSERT INTO {_table_ident(name)} ({VERSION_COL}, {names}) "
                f"SELECT CAST(? AS BIGINT), {select} FROM read_parquet(?)"
            )
            con.execute(sql, [version, path])

    @staticmethod
    def _prune(con: duckdb.DuckDBPyConnection) -> None:
        keep = [
            r[0]
            for r in con.execute(
                "SELECT version FROM datasets ORDER BY active DESC, version DESC LIMIT ?",
                [KEEP_VERSIONS],
            ).fetchall()
        ]
        old = [
            r[0] for r in con.execute("SELECT version FROM datasets").fetchall() if r[0] not in keep
        ]
        for v in old:
            for tname in TABLE_ORDER:
                sql = f"DELETE FROM {_table_ident(tname)} WHERE {VERSION_COL} = ?"
                con.execute(sql, [v])
            con.execute("DELETE FROM datasets WHERE version = ?", [v])

    def datasets(self) -> pd.DataFrame:
        """All kept versions: version, name, source, loaded_at, as_of, company, currency,
        active, loaded_by (who loaded it; empty for versions loaded before it was kept),
        restored_by and restored_at (the last restore of it, if any);
        newest first."""
        with self.connect() as con:
            return self._datasets(con)

    def active(self) -> DatasetInfo | None:
        """The active dataset, or None when nothing has been loaded."""
        with self.connect() as con:
            return self._active(con)

    def listing(self) -> tuple[DatasetInfo | None, pd.DataFrame]:
        """(`active()`, `datasets()`) read through one connection: a page that shows both
        opens the file once, not twice (an open is 15-55 ms on a store of 20,000 SKUs)."""
        with self.connect() as con:
            return self._active(con), self._datasets(con)

    @staticmethod
    def _datasets(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
        return con.execute("SELECT * FROM datasets ORDER BY version DESC").df()

    @staticmethod
    def _active(con: duckdb.DuckDBPyConnection) -> DatasetInfo | None:
        row = con.execute(
            "SELECT version, name, source, loaded_at, as_of, company, "
            "currency FROM datasets WHERE active"
        ).fetchone()
        if row is None:
            return None
        return DatasetInfo(
            int(row[0]),
            row[1],
            row[2] or "",
            pd.Timestamp(row[3]),
            pd.Timestamp(row[4]) if row[4] is not None else None,
            row[5] or row[1],
            row[6] or "EUR",
        )

    def activate(self, version: int) -> None:
        """Make a kept version the active dataset again (restore); needs `access.LOAD`."""
        require(self.actor, LOAD)
        with self.transaction() as con:
            found = con.execute(
                "SELECT count(*) FROM datasets WHERE version = ?", [version]
            ).fetchone()[0]
            if not found:
                kept = [
                    r[0]
                    for r in con.execute("SELECT version FROM datasets ORDER BY version").fetchall()
                ]
                raise StoreError(
                    f"There is no dataset version {version}; kept versions: "
                    f"{', '.join(map(str, kept)) or 'none'}."
                )
            con.execute("UPDATE datasets SET active = (version = ?)", [version])
            con.execute(
                "UPDATE datasets SET restored_by = ?, restored_at = now()::TIMESTAMP "
                "WHERE version = ?",
                [self.actor.signature, version],
            )

    def tables(self, version: int | None = None) -> dict[str, pd.DataFrame]:
        """Every table of a version (default: the active one), typed as in the schema.

        Optional tables that the dataset does not have are absent from the dict.
        """
        if version is None:
            info = self.active()
            if info is None:
                raise StoreError(
                    "No dataset is loaded yet. Run `python -m sop load DIR` or "
                    "upload files on the Data page."
                )
            version = info.version
        out: dict[str, pd.DataFrame] = {}
        with self.connect() as con:
            for name, t in TABLES.items():
                cols = ", ".join(
                    f"CAST({q} AS TIMESTAMP) AS {q}" if c.dtype == schema.DATE else q
                    for c in t.columns
                    if (q := _col_ident(name, c.name))
                )
                sql = f"SELECT {cols} FROM {_table_ident(name)} WHERE {VERSION_COL} = ?"
                df = (
                    con.sql(sql, params=[version])
                    .to_arrow_table()
                    .to_pandas(types_mapper=_PANDAS_TYPES.get)
                )
                if len(df) or t.required:
                    out[name] = df
        return out

    def row_counts(self) -> dict[int, dict[str, int]]:
        """{version: {table: rows}} for every kept version."""
        out: dict[int, dict[str, int]] = {}
        with self.connect() as con:
            for name in TABLE_ORDER:
                sql = (
                    f"SELECT {VERSION_COL}, count(*) FROM {_table_ident(name)} "
                    f"GROUP BY {VERSION_COL}"
                )
                for v, n in con.execute(sql).fetchall():
                    out.setdefault(int(v), {})[name] = int(n)
        return out

    def fingerprint(self) -> tuple:
        """Everything in the store that pages may have cached, for cache keys."""
        with self.connect() as con:
            return tuple(
                con.execute("SELECT version, active FROM datasets ORDER BY version").fetchall()
            )


# who loaded each version (`Store.load` records the acting person's signature); a store
# written before gains the column, empty for its old versions
# and who last made it the active one again (`Store.activate`, a restore) and when
register_ddl(
    "datasets",
    "ALTER TABLE datasets ADD COLUMN IF NOT EXISTS loaded_by VARCHAR",
    "ALTER TABLE datasets ADD COLUMN IF NOT EXISTS restored_by VARCHAR",
    "ALTER TABLE datasets ADD COLUMN IF NOT EXISTS restored_at TIMESTAMP",
)
