"""Stored forecast runs and consensus snapshots.

A run is one `run_forecast` over one dataset version with one settings key. Its
values and fitted values are typed tables (read on every demand-plan call);
its selection and backtest frames, whose key columns depend on the forecast
level, are kept as Parquet blobs and come back exactly as they went in. Saving
a run replaces any earlier run of the same version and settings, and drops
runs of dataset versions the store no longer keeps.

A consensus snapshot is the consensus plan as it stood in a planning cycle
(keyed by the as-of month): saved when a forecast run is stored and whenever
the consensus changes, so a later dataset that brings the actuals can measure
whether the overrides helped (FVA of consensus over the statistical forecast).
Runs belong to their dataset version; a snapshot belongs to the company of the
version it was taken on (`sop.store.scope`), so each company has its own cycles.

Storing a run needs `access.FORECAST`; a snapshot is taken by a forecast run or an
override change, and needs the action of what took it (`SNAPSHOT_ACTIONS`).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

from sop.core import access, schema
from sop.store import scope
from sop.store.connection import register_ddl, write_lock
from sop.store.core import Store, as_parquet

VALUE_COLUMNS = schema.FORECAST_VALUE_COLUMNS
FITTED = "fitted"
FITTED_COLUMNS = [schema.SKU, schema.REGION, schema.MONTH, FITTED]
BLOB_FRAMES = ("selection", "backtest", "reconciliation", "levels")
# the actions that take a consensus snapshot: a forecast run, an override added or withdrawn
SNAPSHOT_ACTIONS = (access.FORECAST, access.OVERRIDE)
SNAPSHOT_COLUMNS = [
    schema.MONTH,
    schema.SKU,
    schema.REGION,
    schema.FAMILY,
    schema.FORECAST_UNITS,
    schema.UNITS,
]

register_ddl(
    "forecasts",
    "CREATE SEQUENCE IF NOT EXISTS forecast_run_ids START 1",
    "CREATE TABLE IF NOT EXISTS forecast_runs (run_id BIGINT PRIMARY KEY,"
    " dataset_version BIGINT NOT NULL, settings_key VARCHAR NOT NULL,"
    " settings_json VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL, seconds DOUBLE,"
    " n_series BIGINT, as_of DATE)",
    "CREATE TABLE IF NOT EXISTS forecast_values (run_id BIGINT NOT NULL, sku VARCHAR NOT NULL,"
    " region VARCHAR NOT NULL, month DATE NOT NULL, p10 DOUBLE, p50 DOUBLE, p90 DOUBLE,"
    " band_group VARCHAR)",
    "CREATE TABLE IF NOT EXISTS forecast_fitted (run_id BIGINT NOT NULL, sku VARCHAR NOT NULL,"
    " region VARCHAR NOT NULL, month DATE NOT NULL, fitted DOUBLE)",
    "CREATE TABLE IF NOT EXISTS forecast_frames (run_id BIGINT NOT NULL, frame VARCHAR NOT NULL,"
    " data BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS consensus_snapshots (as_of DATE NOT NULL,"
    " taken_at TIMESTAMP NOT NULL, dataset_version BIGINT, run_id BIGINT, reason VARCHAR,"
    " month DATE NOT NULL, sku VARCHAR NOT NULL, region VARCHAR NOT NULL, family VARCHAR,"
    " forecast_units DOUBLE, units DOUBLE)",
    *scope.migration("consensus_snapshots"),
)


@dataclass(frozen=True)
class RunInfo:
    """One stored forecast run (settings as the dict they were saved from)."""

    run_id: int
    dataset_version: int
    settings_key: str
    settings: dict
    created_at: pd.Timestamp
    seconds: float
    n_series: int


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _to_blob(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue()


def _insert_sql(table: str, columns: list[str]) -> str:
    """INSERT of a run's rows from a Parquet file: `table` and `columns` are this
    module's constants (identifiers cannot be bound); the values are parameters."""
    return (
        "INSERT INTO "
        + table
        + " SELECT CAST(? AS BIGINT), "
        + ", ".join('"' + c + '"' for c in columns)
        + " FROM read_parquet(?)"
    )


def _insert_frame(con, table: str, columns: list[str], run_id: int, df: pd.DataFrame) -> None:
    frame = df.copy()
    if schema.BAND_GROUP in columns and schema.BAND_GROUP not in frame:
        frame[schema.BAND_GROUP] = (
            frame[schema.SKU].astype(str) + "|" + frame[schema.REGION].astype(str)
        )
    frame = frame[columns]
    frame[schema.MONTH] = pd.to_datetime(frame[schema.MONTH])
    if schema.BAND_GROUP in columns:
        frame[schema.BAND_GROUP] = frame[schema.BAND_GROUP].astype(str)
    with as_parquet(frame) as name:
        con.execute(_insert_sql(table, columns), [run_id, name])


DELETE_RUN = (
    "DELETE FROM forecast_values WHERE run_id = ?",
    "DELETE FROM forecast_fitted WHERE run_id = ?",
    "DELETE FROM forecast_frames WHERE run_id = ?",
    "DELETE FROM forecast_runs WHERE run_id = ?",
)


def save_run(
    store: Store,
    dataset_version: int,
    settings_key: str,
    settings: dict,
    frames: dict[str, pd.DataFrame],
    seconds: float,
    n_series: int,
    as_of: pd.Timestamp | None = None,
) -> int:
    """Store one run in one transaction; returns its run_id.

    `frames` holds `values` (VALUE_COLUMNS), `fitted` (FITTED_COLUMNS) and any of
    `BLOB_FRAMES`. An earlier run of the same version and settings is replaced.
    AccessDenied unless the acting person may run the forecast.
    """
    access.require(store.actor, access.FORECAST)
    with write_lock(), store.connect() as con:
        con.begin()
        try:
            old = [
                r[0]
                for r in con.execute(
                    "SELECT run_id FROM forecast_runs WHERE (dataset_version = ? AND "
                    "settings_key = ?) OR dataset_version NOT IN (SELECT version FROM datasets)",
                    [dataset_version, settings_key],
                ).fetchall()
            ]
            for rid in old:
                for delete in DELETE_RUN:
                    con.execute(delete, [rid])
            run_id = con.execute("SELECT nextval('forecast_run_ids')").fetchone()[0]
            con.execute(
                "INSERT INTO forecast_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    run_id,
                    dataset_version,
                    settings_key,
                    json.dumps(settings, sort_keys=True, default=str),
                    _now(),
                    float(seconds),
                    int(n_series),
                    None if as_of is None else pd.Timestamp(as_of).date(),
                ],
            )
            _insert_frame(con, "forecast_values", VALUE_COLUMNS, run_id, frames["values"])
            _insert_frame(con, "forecast_fitted", FITTED_COLUMNS, run_id, frames["fitted"])
            for name in BLOB_FRAMES:
                if name in frames:
                    con.execute(
                        "INSERT INTO forecast_frames VALUES (?, ?, ?)",
                        [run_id, name, _to_blob(frames[name])],
                    )
            con.commit()
        except BaseException:
            con.rollback()
            raise
    return int(run_id)


def _info(row: tuple) -> RunInfo:
    return RunInfo(
        int(row[0]),
        int(row[1]),
        row[2],
        json.loads(row[3]),
        pd.Timestamp(row[4]),
        float(row[5] or 0.0),
        int(row[6] or 0),
    )


_RUN_SELECT = (
    "SELECT run_id, dataset_version, settings_key, settings_json, created_at, "
    "seconds, n_series FROM forecast_runs"
)


def find_run(store: Store, dataset_version: int, settings_key: str | None = None) -> RunInfo | None:
    """The newest run of a version (with that settings key, when given), or None."""
    with store.connect() as con:
        if settings_key is None:
            row = con.execute(
                _RUN_SELECT + " WHERE dataset_version = ? ORDER BY run_id DESC LIMIT 1",
                [dataset_version],
            ).fetchone()
        else:
            row = con.execute(
                _RUN_SELECT + " WHERE dataset_version = ? AND settings_key = "
                "? ORDER BY run_id DESC LIMIT 1",
                [dataset_version, settings_key],
            ).fetchone()
    return None if row is None else _info(row)


def run_info(store: Store, run_id: int) -> RunInfo | None:
    """The stored run `run_id`, or None."""
    with store.connect() as con:
        row = con.execute(_RUN_SELECT + " WHERE run_id = ?", [run_id]).fetchone()
    return None if row is None else _info(row)


def runs(store: Store) -> pd.DataFrame:
    """Every stored run, newest first: run_id, dataset_version, settings_key,
    settings_json, created_at, seconds, n_series."""
    with store.connect() as con:
        return con.execute(_RUN_SELECT + " ORDER BY run_id DESC").df()


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    for c in (schema.SKU, schema.REGION, schema.FAMILY, schema.BAND_GROUP):
        if c in df:
            df[c] = df[c].astype("str")
    df[schema.MONTH] = pd.to_datetime(df[schema.MONTH]).astype("datetime64[us]")
    return df


def values(store: Store, run_id: int) -> pd.DataFrame:
    """The run's forecast: VALUE_COLUMNS, one row per SKU x region x month (band_group:
    the rows whose errors move together, see `sop.hierarchy`)."""
    with store.connect() as con:
        df = con.execute(
            "SELECT sku, region, month, p10, p50, p90, band_group "
            "FROM forecast_values "
            "WHERE run_id = ? ORDER BY month, sku, region",
            [run_id],
        ).df()
    return _typed(df)


def fitted(store: Store, run_id: int) -> pd.DataFrame:
    """The run's in-sample fitted values: FITTED_COLUMNS."""
    with store.connect() as con:
        df = con.execute(
            "SELECT sku, region, month, fitted FROM forecast_fitted "
            "WHERE run_id = ? ORDER BY sku, region, month",
            [run_id],
        ).df()
    return _typed(df)


def frame(store: Store, run_id: int, name: str) -> pd.DataFrame:
    """A blob-stored frame of the run (`selection`, `backtest`); empty if absent."""
    with store.connect() as con:
        row = con.execute(
            "SELECT data FROM forecast_frames WHERE run_id = ? AND frame = ?", [run_id, name]
        ).fetchone()
    return pd.DataFrame() if row is None else pd.read_parquet(io.BytesIO(row[0]))


# --- consensus snapshots ------------------------------------------------------
def save_snapshot(
    store: Store,
    as_of: pd.Timestamp,
    plan: pd.DataFrame,
    dataset_version: int | None,
    run_id: int | None,
    reason: str,
    action: str,
) -> None:
    """Replace the snapshot of the cycle `as_of` of the company of `dataset_version`
    (None: the active dataset's) with `plan` (SNAPSHOT_COLUMNS). `action`: what took it
    (one of `SNAPSHOT_ACTIONS`: `access.FORECAST` after a run, `access.OVERRIDE` after
    an override change), which the acting person must be allowed."""
    if action not in SNAPSHOT_ACTIONS:
        raise ValueError(f"a snapshot is taken by one of {SNAPSHOT_ACTIONS}, not {action!r}")
    access.require(store.actor, action)
    day = pd.Timestamp(as_of).date()
    with write_lock(), store.connect() as con, as_parquet(plan[SNAPSHOT_COLUMNS]) as name:
        con.begin()
        try:
            company = scope.company_of(con, dataset_version)
            con.execute(
                f"DELETE FROM consensus_snapshots WHERE as_of = ? AND {scope.SAME}",
                [day, company],
            )
            con.execute(
                "INSERT INTO consensus_snapshots (as_of, taken_at, dataset_version, run_id, "
                "reason, company, month, sku, region, family, forecast_units, units) "
                "SELECT ?, ?, ?, ?, ?, ?, month, sku, region, family, forecast_units, units "
                "FROM read_parquet(?)",
                [day, _now(), dataset_version, run_id, reason, company, name],
            )
            con.commit()
        except BaseException:
            con.rollback()
            raise


def snapshots(
    store: Store, before: pd.Timestamp | None = None, company: str | None = None
) -> pd.DataFrame:
    """Stored snapshots of `company` (None: the active dataset's), of cycles with as-of
    before `before` when given.

    Columns: as_of, taken_at, month, sku, region, family, forecast_units, units.
    """
    sql = (
        "SELECT as_of, taken_at, month, sku, region, family, forecast_units, units "
        f"FROM consensus_snapshots WHERE {scope.SAME}"
    )
    with store.connect() as con:
        company = scope.resolve(con, company)
        if before is None:
            df = con.execute(sql + " ORDER BY as_of, month, sku, region", [company]).df()
        else:
            df = con.execute(
                sql + " AND as_of < ? ORDER BY as_of, month, sku, region",
                [company, pd.Timestamp(before).date()],
            ).df()
    df = _typed(df)
    df["as_of"] = pd.to_datetime(df["as_of"]).astype("datetime64[us]")
    return df


def snapshot_cycles(store: Store, company: str | None = None) -> pd.DataFrame:
    """One row per stored cycle of `company` (None: the active dataset's): as_of,
    taken_at, reason, rows."""
    with store.connect() as con:
        return con.execute(
            "SELECT as_of, max(taken_at) AS taken_at, any_value(reason) AS "
            f"reason, count(*) AS rows FROM consensus_snapshots WHERE {scope.SAME} "
            "GROUP BY as_of ORDER BY as_of",
            [scope.resolve(con, company)],
        ).df()


# the tables of a run, besides `forecast_runs` (keyed by run_id)
RUN_TABLES = ("forecast_values", "forecast_fitted", "forecast_frames")


def copy_runs(con, old: int, version: int) -> None:
    """Each forecast run of version `old` again for `version`, under a new run id."""
    runs = con.execute(
        "SELECT run_id FROM forecast_runs WHERE dataset_version = ? ORDER BY run_id", [old]
    ).fetchall()
    for (run_id,) in runs:
        new = con.execute("SELECT nextval('forecast_run_ids')").fetchone()[0]
        con.execute(
            "INSERT INTO forecast_runs BY NAME SELECT * REPLACE (CAST(? AS BIGINT) AS run_id, "
            "CAST(? AS BIGINT) AS dataset_version) FROM forecast_runs WHERE run_id = ?",
            [new, version, run_id],
        )
        for table in RUN_TABLES:  # constant names: no user text reaches this SQL
            con.execute(
                f"INSERT INTO {table} BY NAME SELECT * REPLACE (CAST(? AS BIGINT) AS run_id) "
                f"FROM {table} WHERE run_id = ?",
                [new, run_id],
            )
