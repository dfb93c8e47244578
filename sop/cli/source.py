"""The database commands: `source` (the connection and the saved queries) and `refresh`
(pull the company's tables, check them, load a new version when they changed).

Exit codes as the other commands: 0 done (also a refresh that found no change), 1 the
query results failed the data checks (nothing loaded, as `load`), 2 bad input (a
queries file, the connection settings, a query the database refused). Every line
printed goes through the password redaction.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

from tqdm import tqdm

from sop.cli import forecast
from sop.core import fmt
from sop.data import refresh as rf
from sop.data.readers import ERROR, Finding
from sop.data.source import (
    NO_CONFIG,
    SourceConfig,
    SourceError,
    load_config,
    parse_queries_file,
    redact,
)
from sop.demand.engine import ForecastSettings
from sop.store import Store, StoreError, source_queries

QUERIES_HELP = (
    'TOML file with one query per table: [queries] then sales = "SELECT ..." '
    "(replaces the company's saved queries; see docs/database.md)"
)


def _say(text: str, config: SourceConfig | None, err: bool = False) -> None:
    text = config.redact(text) if config else redact(text)
    print(text, file=sys.stderr if err else sys.stdout)


def _findings(findings: list[Finding], config: SourceConfig | None) -> None:
    for f in sorted(findings, key=lambda f: f.severity != ERROR):
        head = "ERROR   " if f.severity == ERROR else "WARNING "
        body = textwrap.fill(f.message, width=100, subsequent_indent=" " * 9)
        _say(f"{head} {body}", config)


def _company(store: Store, given: str | None) -> str:
    if given and given.strip():
        return given.strip()
    info = store.active()
    if info is None:
        raise StoreError(
            "No dataset is loaded, so the company is not known: give --company NAME (the "
            "company_name your company table has, or the dataset name you will use)."
        )
    return info.company


def _config(timeout: float | None = None) -> SourceConfig | None:
    try:
        return load_config(timeout_s=timeout)
    except SourceError as exc:
        raise StoreError(str(exc)) from None


def source(args: argparse.Namespace) -> int:
    store = Store(args.store)
    config = _config()
    if args.queries is not None:
        company = _company(store, args.company)
        queries, problems = parse_queries_file(args.queries)
        if problems:
            for p in problems:
                _say(f"ERROR    {p}", config, err=True)
            _say("Nothing was saved; the saved queries are unchanged.", config, err=True)
            return 2
        removed = source_queries.set_all(store, company, queries)
        _say(
            f"Saved {fmt.count(len(queries), 'query', 'queries')} for `{company}` "
            f"({', '.join(queries)})"
            + (f"; removed the queries for {', '.join(removed)}" if removed else "")
            + ". Run `python -m sop refresh` to load the tables.",
            config,
        )
        return 0
    _say(
        f"Connection: {config.describe()} (from {config.origin}); statement timeout "
        f"{config.timeout_s:g} s."
        if config
        else NO_CONFIG,
        config,
    )
    company = _company(store, args.company)
    saved = source_queries.saved(store, company)
    if saved.empty:
        _say(f"No saved query for `{company}`: python -m sop source --queries FILE.", config)
        return 0
    _say(f"Saved queries for `{company}`:", config)
    for row in saved.itertuples():
        _say(
            f"\n-- {row.table_name} (saved by {row.author}, {row.saved_at:%Y-%m-%d %H:%M} UTC)",
            config,
        )
        _say(row.query, config)
    return 0


def _progress(bar: tqdm) -> Callable[[int, int, str], None]:
    def step(done: int, total: int, label: str) -> None:
        bar.total = total
        bar.n = done
        bar.set_description(label)
        bar.refresh()

    return step


def refresh(args: argparse.Namespace) -> int:
    store = Store(args.store)
    config = _config(args.timeout)
    company = args.company
    try:
        with tqdm(total=1, unit="step", file=sys.stderr, leave=False) as bar:
            got = rf.refresh(store, config, company, _progress(bar), args.name)
    except (StoreError, KeyboardInterrupt):
        raise
    except Exception as exc:  # noqa: BLE001 - never print a password in a traceback
        if os.environ.get("SOP_DEBUG"):
            raise
        _say(
            f"ERROR    `refresh` failed: {type(exc).__name__}: {exc}. This is a bug, please "
            "report it; SOP_DEBUG=1 shows the traceback. The store is unchanged.",
            config,
            err=True,
        )
        return 3
    _findings(got.findings, config)
    if got.rows:
        rows = ", ".join(f"{t} {n:,}" for t, n in got.rows.items())
        _say(f"Rows returned: {rows}.", config)
    if got.seconds:
        _say("Time: " + ", ".join(f"{k} {v:.1f} s" for k, v in got.seconds.items()) + ".", config)
    _say(got.message, config, err=got.status == rf.REFUSED)
    if got.status == rf.LOADED and not args.no_forecast:  # as an upload in the app does
        return forecast.fit_active(store, ForecastSettings())
    if got.status != rf.REFUSED:
        return 0
    return 1 if got.report is not None else 2


def add_commands(add_parser: Callable[..., argparse.ArgumentParser]) -> None:
    """`source` and `refresh`, in the order `python -m sop --help` lists them."""
    s = add_parser(
        "source",
        help="show the database connection and the saved queries, or save them from a file",
    )
    s.add_argument("--queries", type=Path, default=None, help=QUERIES_HELP)
    s.add_argument(
        "--company", default=None, help="company the queries belong to (default: the active one)"
    )
    s.set_defaults(func=source)
    s = add_parser(
        "refresh",
        help="run the saved queries on the company database, check the tables and load "
        "them as a new version when they changed",
    )
    s.add_argument(
        "--company", default=None, help="company to refresh (default: the active dataset's)"
    )
    s.add_argument("--name", default=None, help="dataset name (default: the company)")
    s.add_argument(
        "--no-forecast",
        action="store_true",
        help="do not fit the forecast of a newly loaded version (default: fit it, as the "
        "app does after a load; `python -m sop forecast` fits it later)",
    )
    s.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="statement timeout in seconds for each query (default: $SOP_SOURCE_TIMEOUT, "
        "statement_timeout in secrets.toml, else 300)",
    )
    s.set_defaults(func=refresh)
