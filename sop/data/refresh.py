"""A refresh from the company database: run the company's saved queries, check the
results like an uploaded file, and load them as a new dataset version only when their
content differs from the active version's.

Tables without a saved query are taken from the active dataset (as an upload with
"take tables I do not upload from the current dataset" ticked) when it belongs to the
same company. Nothing is written unless every query ran and every check passed; a
refresh that finds the same content says so and creates no version. A person who
may not load data (`access.LOAD`) gets a refused result before any query runs. Used by
`python -m sop refresh` and the Data page's Database tab.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sop.core import access, fmt, schema
from sop.core.tables import TABLE_ORDER, TABLES
from sop.data import postgres
from sop.data.readers import ERROR, Finding, RawTable
from sop.data.report import ROW, Report, Run
from sop.data.source import NO_CONFIG, SourceConfig, SourceError, clean_query, query_problem
from sop.data.validate import validate_raw
from sop.store import Store, source_queries

LOADED, UNCHANGED, REFUSED = "loaded", "unchanged", "refused"
INFINITE = {"infinity", "+infinity", "-infinity", "inf", "+inf", "-inf"}
FIX = (
    "Fix the saved queries (python -m sop source --queries FILE, or the Data page's "
    "Database tab) or the data in the database, and refresh again."
)
Progress = Callable[[int, int, str], None]


@dataclass
class RefreshResult:
    """What a refresh did. `status`: loaded (a new version), unchanged (same content as
    the active version: none made) or refused (nothing changed; `findings` say why)."""

    status: str
    message: str
    version: int | None = None
    report: Report | None = None
    findings: list[Finding] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # pull, validate, compare, load

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]


def _canonical(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """The model's columns of a table in one dtype per column type, rows in key order,
    so a table compares equal however it was typed (validated or read from the store)."""
    t = TABLES[name]
    out = {}
    for c in t.columns:
        s = df[c.name] if c.name in df.columns else pd.Series(np.nan, index=df.index)
        if c.dtype == schema.STR:
            obj = s.astype("object")
            out[c.name] = obj.where(s.notna(), "\x00").map(str)
        elif c.dtype == schema.DATE:
            d = pd.to_datetime(s).astype("datetime64[us]")
            out[c.name] = d.to_numpy().view("int64")
        else:
            out[c.name] = pd.to_numeric(s.astype("object"), errors="coerce").astype("float64")
    frame = pd.DataFrame(out, index=df.index)
    return frame.sort_values(list(t.key), kind="stable").reset_index(drop=True)


def content_hash(tables: dict[str, pd.DataFrame]) -> str:
    """A digest of the tables' content (model columns, key order); empty tables count as
    absent."""
    h = hashlib.sha256()
    for name in TABLE_ORDER:
        df = tables.get(name)
        if df is None or df.empty:
            continue
        frame = _canonical(name, df)
        h.update(f"{name}:{len(frame)}:{','.join(frame.columns)};".encode())
        h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()


def finite_check(raw: dict[str, RawTable]) -> list[Finding]:
    """Numbers the database returned as Infinity (a float column can hold them; a
    quantity or a price cannot be infinite)."""
    run = Run()
    for name, r in raw.items():
        t = TABLES[name]
        df = r.frame.copy()
        df.columns = [str(c).strip().lower().replace(" ", "_") for c in df.columns]
        if df.columns.duplicated().any():
            continue  # the header check reports it
        df.insert(0, ROW, np.arange(1, len(df) + 1))
        for c in t.columns:
            if c.dtype not in (schema.FLOAT, schema.INT) or c.name not in df.columns:
                continue
            text = (
                df[c.name]
                .astype("object")
                .map(lambda v: v.strip().lower() if isinstance(v, str) else "")
            )
            run.rows(
                "Values are finite",
                t,
                df,
                r.file,
                text.isin(INFINITE),
                c.name,
                "hold an infinite value",
                f"`{c.name}` must be a finite number ({c.unit}): filter these rows out in the "
                "query or correct them in the database.",
            )
    return run.findings


def company_check(tables: dict[str, pd.DataFrame], company: str) -> list[Finding]:
    """The company table must name the company the queries are saved for: the loaded
    version belongs to that name, and the next refresh looks its queries up by it."""
    df = tables.get(schema.COMPANY)
    if df is None or df.empty or str(df[schema.COMPANY_NAME].iloc[0]) == company:
        return []
    named = str(df[schema.COMPANY_NAME].iloc[0]).replace("`", "'")
    ours = company.replace("`", "'")
    return [
        Finding(
            "Company matches the saved queries",
            schema.COMPANY,
            ERROR,
            f"{postgres.label(schema.COMPANY)}: company_name is `{named}`, but the queries are "
            f"saved for `{ours}`. Save them for `{named}` (python -m sop "
            f'source --queries FILE --company "{named}", then refresh --company "{named}") '
            "or make the query return the company the queries are saved for.",
            file=postgres.label(schema.COMPANY),
            column=schema.COMPANY_NAME,
        )
    ]


def _refused(message: str, findings: list[Finding], **kw) -> RefreshResult:
    return RefreshResult(
        REFUSED, f"{message} Nothing was loaded; the store is unchanged.", **kw, findings=findings
    )


def refresh(
    store: Store,
    config: SourceConfig | None,
    company: str | None = None,
    progress: Progress | None = None,
    name: str | None = None,
) -> RefreshResult:
    """Pull, check and (when the content changed) load the company's tables. The company:
    `company`, else the active dataset's. Raises nothing for bad input: a connection or
    query problem is a refused result, and so is a person without `access.LOAD`; the
    store is written only for `loaded`."""
    if not store.actor.can(access.LOAD):
        return _refused(access.refusal(store.actor, access.LOAD), [])
    active = store.active()
    company = (company or (active.company if active else "")).strip()
    if not company:
        return _refused(
            "No dataset is loaded, so the company is not known: give the company the queries "
            "belong to (--company NAME).",
            [],
        )
    queries = {t: clean_query(q) for t, q in source_queries.queries(store, company).items()}
    if not queries:
        return _refused(
            f"No saved query for the company `{company}`. Save them first: python -m sop "
            "source --queries FILE, or the Data page's Database tab (docs/database.md).",
            [],
        )
    if config is None:
        return _refused(NO_CONFIG, [])
    problems = [
        Finding(postgres.CHECK_QUERY, t, ERROR, why, file=postgres.label(t))
        for t, q in queries.items()
        if (why := query_problem(t, q))
    ]
    if problems:
        return _refused(FIX, problems)
    same_company = active is not None and active.company == company
    start = time.perf_counter()
    current = store.tables(active.version) if same_company else {}
    read_s = time.perf_counter() - start  # counted in `compare`
    base = {n: df for n, df in current.items() if n not in queries}
    missing = [n for n, t in TABLES.items() if t.required and n not in queries and n not in base]
    if missing:
        return _refused(
            f"The {', '.join(f'`{m}`' for m in missing)} table{'s' * (len(missing) > 1)} "
            f"{'are' if len(missing) > 1 else 'is'} required but has no saved query and no "
            f"dataset of `{company}` is active to take it from. Save a query for it.",
            [],
        )
    total = len(queries) + 3
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    try:
        pulled = postgres.pull(
            config, queries, progress and (lambda i, _n, label: progress(i, total, label))
        )
    except SourceError as exc:
        return _refused(str(exc), [], seconds={"pull": time.perf_counter() - start})
    seconds["pull"] = time.perf_counter() - start
    if pulled.findings:
        n = len(pulled.findings)
        return _refused(
            f"{fmt.count(n, 'saved query', 'saved queries')} failed. {FIX}",
            pulled.findings,
            rows=pulled.rows,
            seconds=seconds,
        )
    if progress:
        progress(len(queries), total, "checking the tables")
    start = time.perf_counter()
    report = validate_raw(pulled.tables, finite_check(pulled.tables), base)
    seconds["validate"] = time.perf_counter() - start
    report.findings.extend(company_check(report.tables, company))
    if not report.ok:
        return _refused(
            f"{len(report.errors)} error(s) in the query results. {FIX}",
            report.findings,
            report=report,
            rows=pulled.rows,
            seconds=seconds,
        )
    if progress:
        progress(len(queries) + 1, total, "comparing with the active version")
    start = time.perf_counter()
    same = same_company and content_hash(report.tables) == content_hash(current)
    seconds["compare"] = time.perf_counter() - start + read_s
    if same:
        if progress:
            progress(total, total, "no change")
        return RefreshResult(
            UNCHANGED,
            f"No change since version {active.version}: the database returns the same "
            "tables; no version was created.",
            active.version,
            report,
            report.findings,
            pulled.rows,
            seconds,
        )
    if progress:
        progress(len(queries) + 2, total, "loading a new version")
    start = time.perf_counter()
    version = store.load(
        report.tables,
        name=name or company,
        source=f"database {config.describe()}",
        company=company,
    )
    seconds["load"] = time.perf_counter() - start
    if progress:
        progress(total, total, "loaded")
    return RefreshResult(
        LOADED,
        f"Loaded version {version} from the database ({sum(pulled.rows.values()):,} rows in "
        f"{len(pulled.tables)} tables); it is now active.",
        version,
        report,
        report.findings,
        pulled.rows,
        seconds,
    )
