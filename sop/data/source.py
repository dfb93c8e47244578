"""The company database as a source of tables: where to connect, and the saved queries.

Connection settings come from the environment (`SOP_SOURCE_DSN`, else the standard
PG* variables that libpq reads) or from `.streamlit/secrets.toml`
(`[connections.source]`: `url`, or host/port/dbname/user/password). They are never
written to the store and never shown: `SourceConfig.describe()` names the server
without the password, and `redact` removes the password from any text before it is
printed, logged or raised.

A saved query is one read-only statement (SELECT, WITH ... SELECT, VALUES or TABLE)
per table of the data model, stored per company (`sop.store.source_queries`);
`parse_queries_file` reads them from a TOML file and says what is wrong with it.
The driver part is `sop.data.postgres`; a refresh is `sop.data.refresh`.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sop.core.tables import TABLES
from sop.data.readers import _suggest
from sop.store import ROOT

DSN_ENV = "SOP_SOURCE_DSN"
TIMEOUT_ENV = "SOP_SOURCE_TIMEOUT"
SECRETS = ROOT / ".streamlit" / "secrets.toml"
SECTION = "connections.source"
DEFAULT_TIMEOUT_S = 300.0
# the PG* variables that name a server (PGPASSWORD alone does not)
PG_VARS = ("PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE")
# secrets.toml keys, with the libpq keyword each one sets (Streamlit's SQL connection
# spells some of them differently: database, username)
SECRET_KEYS = {
    "url": "url",
    "host": "host",
    "port": "port",
    "dbname": "dbname",
    "database": "dbname",
    "user": "user",
    "username": "user",
    "password": "password",
    "sslmode": "sslmode",
    "sslrootcert": "sslrootcert",
    "connect_timeout": "connect_timeout",
    "application_name": "application_name",
    "dialect": "dialect",
    "statement_timeout": "statement_timeout",
}
READ_WORDS = ("select", "with", "values", "table")
_COMMENT = re.compile(r"\s*(--[^\n]*(\n|$)|/\*.*?\*/)", re.S)
_URL_PASSWORD = re.compile(r"(\w+://[^:/@\s]*:)[^@\s]*@")
_KW_PASSWORD = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.I)


class SourceError(ValueError):
    """The connection settings or a queries file cannot be used; the message says why and
    what to do (and never holds the password)."""


@dataclass(frozen=True)
class SourceConfig:
    """How to reach the company database. `params` are libpq keywords (the password among
    them, kept out of repr); `origin` says where they were found."""

    params: dict[str, str] = field(repr=False, hash=False, compare=False)
    origin: str
    timeout_s: float = DEFAULT_TIMEOUT_S

    @property
    def password(self) -> str:
        return self.params.get("password") or os.environ.get("PGPASSWORD", "")

    def describe(self) -> str:
        """user@host:port/dbname, without the password (libpq defaults where not set)."""
        p = self.params
        user = p.get("user") or os.environ.get("PGUSER", "")
        host = p.get("host") or os.environ.get("PGHOST", "localhost")
        port = p.get("port") or os.environ.get("PGPORT", "5432")
        db = p.get("dbname") or os.environ.get("PGDATABASE", "") or user
        return f"{user + '@' if user else ''}{host}:{port}/{db}"

    def redact(self, text: str) -> str:
        return redact(text, self.password)


def redact(text: str, password: str = "") -> str:
    """`text` with the password (and anything written as one) replaced by ***."""
    text = _URL_PASSWORD.sub(r"\1***@", str(text))
    text = _KW_PASSWORD.sub(r"\1***", text)
    if password:
        text = text.replace(password, "***")
    return text


def _timeout(value: object, where: str) -> float:
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        seconds = -1.0
    if not 0 < seconds <= 86_400:
        raise SourceError(
            f"{where}: the statement timeout {value!r} is not a number of seconds; give one "
            f"between 1 and 86400 (default {DEFAULT_TIMEOUT_S:g})."
        )
    return seconds


def _from_url(url: str, origin: str) -> dict[str, str]:
    from psycopg.conninfo import conninfo_to_dict

    try:
        got = conninfo_to_dict(url)
    except Exception as exc:  # noqa: BLE001 - psycopg raises ProgrammingError or ValueError
        raise SourceError(
            f"{origin}: the connection string cannot be read ({redact(str(exc), url)}). Write it "
            "as postgresql://USER@HOST:PORT/DATABASE (see docs/database.md)."
        ) from None
    return {k: str(v) for k, v in got.items() if v is not None}


def _from_secrets(path: Path) -> tuple[dict[str, str], float | None] | None:
    """The [connections.source] section of a secrets file, as libpq keywords (None when
    the file or the section is absent)."""
    if not path.is_file():
        return None
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SourceError(
            f"{path}: not valid TOML ({exc}). Fix the file; see docs/database.md for an example."
        ) from None
    section = doc.get("connections", {}).get("source")
    if section is None:
        return None
    where = f"{path} [{SECTION}]"
    if not isinstance(section, dict):
        raise SourceError(f"{where}: must be a table of settings (url, or host, dbname, ...).")
    unknown = [k for k in section if k not in SECRET_KEYS]
    if unknown:
        raise SourceError(
            f"{where}: unknown setting `{unknown[0]}`.{_suggest(unknown[0], list(SECRET_KEYS))} "
            f"Settings: {', '.join(SECRET_KEYS)}."
        )
    dialect = str(section.get("dialect", "postgresql")).lower()
    if dialect not in ("postgresql", "postgres"):
        raise SourceError(f"{where}: dialect {dialect!r} is not supported; use postgresql.")
    params = _from_url(str(section["url"]), where) if "url" in section else {}
    for key, value in section.items():
        kw = SECRET_KEYS[key]
        if kw not in ("url", "dialect", "statement_timeout"):
            params[kw] = str(value)
    timeout = section.get("statement_timeout")
    return params, None if timeout is None else _timeout(timeout, where)


def load_config(secrets: Path | None = None, timeout_s: float | None = None) -> SourceConfig | None:
    """The connection settings: `SOP_SOURCE_DSN`, else the secrets file's
    [connections.source], else the PG* variables; None when none is set. The statement
    timeout: `timeout_s`, else secrets' statement_timeout, else SOP_SOURCE_TIMEOUT, else
    300 s."""
    secret_timeout = None
    if dsn := os.environ.get(DSN_ENV, "").strip():
        params, origin = _from_url(dsn, DSN_ENV), f"the {DSN_ENV} variable"
    elif got := _from_secrets(secrets or SECRETS):
        (params, secret_timeout), origin = got, f"{secrets or SECRETS} [{SECTION}]"
    elif any(os.environ.get(v) for v in PG_VARS):
        params, origin = {}, "the PG* environment variables"
    else:
        return None
    timeout_s = secret_timeout if timeout_s is None else _timeout(timeout_s, "--timeout")
    if timeout_s is None and (env := os.environ.get(TIMEOUT_ENV)):
        timeout_s = _timeout(env, TIMEOUT_ENV)
    return SourceConfig(params, origin, DEFAULT_TIMEOUT_S if timeout_s is None else timeout_s)


NO_CONFIG = (
    "No database connection is set. Set SOP_SOURCE_DSN=postgresql://USER@HOST:PORT/DATABASE "
    "(the password in PGPASSWORD or ~/.pgpass), or add a [connections.source] section to "
    ".streamlit/secrets.toml; see docs/database.md."
)


# --- saved queries ---------------------------------------------------------------------
def _after_comments(query: str) -> str:
    text = query
    while m := _COMMENT.match(text):
        text = text[m.end() :]
    return text.strip()


def first_word(query: str) -> str:
    """The query's first keyword, lower case, after comments and opening brackets."""
    m = re.match(r"[A-Za-z_]+", _after_comments(query).lstrip("( \n\t"))
    return m.group(0).lower() if m else ""


def clean_query(query: str) -> str:
    """The query without surrounding blanks and trailing semicolons."""
    return query.strip().rstrip(";").rstrip()


def query_problem(table: str, query: str) -> str | None:
    """Why `query` cannot be saved for `table` (None when it can): an unknown table, an
    empty query, or one that does not start as a read (SELECT, WITH, VALUES, TABLE)."""
    if table not in TABLES:
        return (
            f"`{table}` is not a table of the data model.{_suggest(table, list(TABLES))} "
            f"Tables are: {', '.join(TABLES)}."
        )
    q = clean_query(query)
    if not _after_comments(q):
        return f"The query for `{table}` is empty. Write a SELECT that returns its columns."
    word = first_word(q)
    if word not in READ_WORDS:
        shown = word.upper() or q[:20]
        return (
            f"The query for `{table}` starts with {shown}: a saved query may only read. Write "
            f"one SELECT (or WITH ... SELECT) that returns the columns of `{table}`."
        )
    return None


def parse_queries_file(path: Path) -> tuple[dict[str, str], list[str]]:
    """({table: query}, problems) from a TOML file: `[queries]` with one string per
    table, or the strings at the top level. Nothing is saved while problems is not empty."""
    try:
        doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, [f"{path}: no such file. Give the path of the queries file (TOML)."]
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return {}, [f"{path}: not valid TOML ({exc}). Fix the file; see docs/database.md."]
    body = doc.get("queries", doc)
    if not isinstance(body, dict):
        return {}, [f'{path}: `queries` must be a table: [queries] then table = "SELECT ...".']
    queries: dict[str, str] = {}
    problems: list[str] = []
    for table, query in body.items():
        key = str(table).strip().lower()
        if not isinstance(query, str):
            if isinstance(query, dict) and key in TABLES:
                hint = f' Write it as {key} = """SELECT ..."""'
            else:
                hint = ""
            problems.append(f"{path}: `{table}` must be a query in quotes.{hint}")
            continue
        if why := query_problem(key, query):
            problems.append(f"{path}: {why}")
            continue
        queries[key] = clean_query(query)
    if not queries and not problems:
        problems.append(
            f"{path}: no query found. Write [queries] then one line per table, e.g. "
            'sales = "SELECT sku, month, region, units FROM ..."'
        )
    return queries, problems
