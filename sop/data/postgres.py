"""Running the saved queries on PostgreSQL (psycopg 3): each result comes back as text,
like a CSV export, so it goes through the same checks as an uploaded file.

All queries run in one READ ONLY, REPEATABLE READ transaction (one consistent snapshot
of the database; anything that writes is refused by the server), with a statement
timeout. Each query is first planned as `SELECT * FROM (query) LIMIT 0` over the
extended protocol, which takes exactly one statement and only one that reads (a
second statement, a DELETE or a data-modifying WITH is refused there), then streamed
with `COPY (query) TO STDOUT` (CSV), the fastest way out of the server. A query that
fails is rolled back to its savepoint and reported; the others still run, so every
problem is listed at once. Every message is worded for the planner and redacted.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import psycopg
from psycopg import errors as pg_errors

from sop.data.readers import ERROR, Finding, RawTable
from sop.data.source import SourceConfig, SourceError

CHECK_QUERY = "Saved query runs"
CONNECT_TIMEOUT_S = 10
TIMESTAMPTZ_OID = 1184
Progress = Callable[[int, int, str], None]


@dataclass
class Pulled:
    """What the queries returned: a raw table per query that ran, the findings of the ones
    that failed, rows and seconds per table."""

    tables: dict[str, RawTable] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def label(table: str) -> str:
    """How a query's result is named in messages, where a file name would be."""
    return f"the `{table}` query"


def _connect_reason(text: str, config: SourceConfig) -> str:
    t = text.lower()
    user = config.params.get("user") or "the user"
    if "refused" in t:
        return (
            "the server refused the connection. Check that PostgreSQL runs on that host and "
            "port and accepts connections from this machine (listen_addresses, firewall)."
        )
    if "password authentication failed" in t:
        return (
            f"the password of {user} was refused. Check the password (PGPASSWORD, ~/.pgpass, "
            "the url or password in .streamlit/secrets.toml)."
        )
    if "no password supplied" in t:
        return (
            "the server asks for a password and none is set. Set PGPASSWORD, a ~/.pgpass "
            "line, or password in .streamlit/secrets.toml [connections.source]."
        )
    if "database" in t and "does not exist" in t:
        return (
            "the server has no database of that name. Check dbname (`psql -l` lists the databases)."
        )
    if "role" in t and "does not exist" in t:
        return "the server has no user of that name. Check the user name."
    if "pg_hba.conf" in t:
        return (
            "the server does not let this user in from this machine (pg_hba.conf). Ask the "
            "database administrator to allow it."
        )
    if "translate host name" in t or "name or service not known" in t:
        return "the host name is not known. Check the host."
    if "timeout" in t:
        return "the server did not answer in time. Check the host, port and network."
    first = text.strip().splitlines()[-1] if text.strip() else text
    return f"{first.strip()}. Check the connection settings."


def connect(config: SourceConfig) -> psycopg.Connection:
    """An open connection, or SourceError saying why not (never with the password)."""
    params = {"connect_timeout": str(CONNECT_TIMEOUT_S), **config.params}
    params.setdefault("application_name", "sop-refresh")
    params["client_encoding"] = "UTF8"
    try:
        return psycopg.connect(**params)
    except psycopg.Error as exc:
        reason = _connect_reason(str(exc), config)
        raise SourceError(
            config.redact(
                f"Cannot connect to the database {config.describe()} (settings from "
                f"{config.origin}): {reason}"
            )
        ) from None


def _short(query: str, n: int = 160) -> str:
    one = " ".join(query.split())
    return one if len(one) <= n else one[: n - 1] + "…"


def _line(exc: psycopg.Error) -> str:
    """' (line N of the query)' from the error's position in the probe statement."""
    pos = getattr(exc.diag, "statement_position", None)
    stmt = getattr(exc, "_sop_statement", None)
    if not pos or not stmt:
        return ""
    line = stmt[: int(pos)].count("\n")  # the probe puts the query from its line 2 on
    return f" (line {line} of the query)" if line >= 1 else ""


def _query_problem(exc: psycopg.Error, config: SourceConfig) -> tuple[str, str]:
    """(what went wrong, what to do) for a query that failed in the database."""
    state = exc.sqlstate or ""
    primary = (exc.diag.message_primary or str(exc)).strip()
    hint = f" ({exc.diag.message_hint.strip()})" if exc.diag.message_hint else ""
    user = config.params.get("user") or "the connecting user"
    if isinstance(exc, pg_errors.QueryCanceled):
        return (
            f"took longer than the statement timeout ({config.timeout_s:g} s) and was stopped",
            "Make it faster (read only the months needed, add an index) or raise the timeout "
            "(SOP_SOURCE_TIMEOUT, or statement_timeout in .streamlit/secrets.toml).",
        )
    if state == "25006" or "data-modifying" in primary or "read-only" in primary:
        return (
            f"tries to change the database ({primary})",
            "A saved query may only read: write one SELECT that returns the table's columns.",
        )
    if "multiple commands" in primary or primary.endswith('at or near ";"'):
        return (
            "holds more than one statement",
            "Save one SELECT per table, without a second statement after a semicolon.",
        )
    if isinstance(exc, pg_errors.UndefinedTable):
        return (
            f"names a table the database does not have: {primary}{_line(exc)}",
            f"Check the table's name and schema (e.g. erp.sales) and that {user} may see it.",
        )
    if isinstance(exc, pg_errors.UndefinedColumn):
        return (
            f"names a column the database does not have: {primary}{hint}{_line(exc)}",
            "Check the column names of the database table (psql: \\d TABLE).",
        )
    if isinstance(exc, pg_errors.SyntaxError):
        return (
            f"has a syntax error: {primary}{_line(exc)}",
            "Correct the SQL (try it in psql first) and save it again.",
        )
    if isinstance(exc, pg_errors.InsufficientPrivilege):
        return (
            f"is not allowed: {primary}",
            f"Ask the database administrator to GRANT SELECT on it to {user}.",
        )
    if state.startswith("22"):
        return (
            f"failed on a value in the database: {primary}{hint}",
            "Check the values the query reads or converts, or filter out the bad rows.",
        )
    return f"failed in the database: {primary}{hint}{_line(exc)}", "Correct the query."


def query_finding(table: str, query: str, problem: str, action: str) -> Finding:
    return Finding(
        CHECK_QUERY,
        table,
        ERROR,
        f"The saved query for `{table}` {problem}. {action} Nothing was loaded. "
        f"Query: {_short(query)}",
        file=label(table),
    )


def _run_one(cur: psycopg.Cursor, table: str, query: str) -> RawTable | str:
    """The query's result as text columns, or why it returned nothing usable."""
    # The saved query is SQL by design (set by the company's administrator and checked
    # to start as a read); it runs in a read-only transaction. No value is interpolated.
    probe = f"SELECT * FROM (\n{query}\n) AS sop_query LIMIT 0"
    try:
        cur.execute(probe)
    except psycopg.Error as exc:
        exc._sop_statement = probe  # type: ignore[attr-defined]
        raise
    names = [d.name for d in cur.description or []]
    if not names:
        return "returns no columns"
    tz_cols = [d.name for d in cur.description if d.type_code == TIMESTAMPTZ_OID]
    buf = io.BytesIO()
    with cur.copy(f"COPY (\n{query}\n) TO STDOUT (FORMAT csv, HEADER true)") as copy:
        for block in copy:
            buf.write(block)
    buf.seek(0)
    frame = pd.read_csv(
        buf, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8", header=0
    )
    frame.columns = names  # as the database named them (read_csv renames repeats)
    for c in set(tz_cols):  # the session is in UTC: drop the +00 so months read as dates
        frame[c] = frame[c].str.replace(r"\+00(:00)?$", "", regex=True)
    return RawTable(table, label(table), frame)


def pull(config: SourceConfig, queries: dict[str, str], progress: Progress | None = None) -> Pulled:
    """Run every query (in the order given); SourceError when the database cannot be
    reached. Reads only: the store is not touched here."""
    out = Pulled()
    conn = connect(config)
    try:
        conn.read_only = True
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with conn.transaction(), conn.cursor() as cur:
            cur.execute(
                "SELECT set_config('statement_timeout', %s, true), "
                "set_config('TimeZone', 'UTC', true)",
                [str(int(config.timeout_s * 1000))],
            )
            for i, (table, query) in enumerate(queries.items()):
                if progress:
                    progress(i, len(queries), f"running the {table} query")
                start = time.perf_counter()
                try:
                    with conn.transaction():  # a savepoint: one failure leaves the rest
                        got = _run_one(cur, table, query)
                except psycopg.OperationalError as exc:
                    if conn.closed or conn.broken:
                        raise SourceError(
                            config.redact(
                                f"The connection to {config.describe()} was lost while running "
                                f"the `{table}` query ({str(exc).strip()}). Nothing was loaded; "
                                "try again, or ask the database administrator."
                            )
                        ) from None
                    out.findings.append(
                        query_finding(
                            table, query, *map(config.redact, _query_problem(exc, config))
                        )
                    )
                    continue
                except psycopg.Error as exc:
                    problem, action = _query_problem(exc, config)
                    out.findings.append(query_finding(table, query, config.redact(problem), action))
                    continue
                out.seconds[table] = time.perf_counter() - start
                if isinstance(got, str):
                    out.findings.append(
                        query_finding(table, query, got, "Select the columns of the table.")
                    )
                    continue
                out.tables[table] = got
                out.rows[table] = len(got.frame)
        if progress:
            progress(len(queries), len(queries), "queries done")
    finally:
        conn.close()
    return out
