"""`python -m sop refresh` speed: 1,000,000 sales rows from PostgreSQL into the store.

Starts a throw-away PostgreSQL server (Debian's binaries, `make pg-deps`; the same one the
tests use, tests/pg_server.py), writes the demo company into it with its sales grown
to 1,000,000 rows (the demo's SKUs cloned, each clone with its own product, inventory and
bill-of-resources rows), saves one query per table, then times (not counting the set-up):
the first refresh (pull + validate + compare + load, each part) and a second refresh with
nothing changed, which must create no version. Target (issue 13): the first refresh in
60 s or less on this machine.
Run: .venv/bin/python bench/bench_refresh.py [--rows N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import pandas as pd  # noqa: E402
import psycopg  # noqa: E402
from pg_server import (  # noqa: E402
    ADMIN,
    ADMIN_PASSWORD,
    DATABASE,
    PLANNER,
    PLANNER_PASSWORD,
    SQL_TYPES,
    PgServer,
    put_table,
)
from tqdm import tqdm  # noqa: E402

from sop.core import schema  # noqa: E402
from sop.core.tables import TABLES  # noqa: E402
from sop.data import refresh as rf  # noqa: E402
from sop.data.demo import build_demo  # noqa: E402
from sop.data.source import SourceConfig  # noqa: E402
from sop.data.validate import check_tables  # noqa: E402
from sop.store import Store, source_queries  # noqa: E402

CLONED = (schema.PRODUCTS, schema.INVENTORY, schema.BILL_OF_RESOURCES)


def grown(rows: int) -> dict[str, pd.DataFrame]:
    """The demo company with its sales cloned up to `rows` rows (clone k of SKU X is X~k)."""
    tables = check_tables(build_demo(seed=7)).tables
    sales = tables[schema.SALES]
    copies = -(-rows // len(sales))
    out = dict(tables)
    sales_parts = []
    for k in range(copies):
        suffix = "" if k == 0 else f"~{k}"
        part = sales.assign(**{schema.SKU: sales[schema.SKU] + suffix})
        if k:
            part[schema.UNITS] = (part[schema.UNITS] * (1 + (k % 7) / 50)).round()
        sales_parts.append(part)
    out[schema.SALES] = pd.concat(sales_parts, ignore_index=True).head(rows)
    kept = set(out[schema.SALES][schema.SKU])
    for name in CLONED:
        df = tables.get(name)
        if df is None:
            continue
        parts = [df]
        for k in range(1, copies):
            clone = df[df[schema.SKU].notna()].copy()
            clone[schema.SKU] = clone[schema.SKU] + f"~{k}"
            parts.append(clone[clone[schema.SKU].isin(kept)])
        out[name] = pd.concat(parts, ignore_index=True)
    return out


def fill(server: PgServer, tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Write every table as src_<name>; returns the query of each."""
    with psycopg.connect(server.dsn(ADMIN, ADMIN_PASSWORD, "postgres"), autocommit=True) as con:
        con.execute(f"CREATE ROLE {PLANNER} LOGIN PASSWORD '{PLANNER_PASSWORD}'")
        con.execute(f"CREATE DATABASE {DATABASE}")
    queries = {}
    with server.admin() as con:
        for name, df in tables.items():
            cols = [c.name for c in TABLES[name].columns if c.name in df.columns]
            put_table(
                con,
                f"src_{name}",
                df[cols],
                {c.name: SQL_TYPES[c.dtype] for c in TABLES[name].columns},
            )
            con.execute(f"GRANT SELECT ON src_{name} TO {PLANNER}")
            queries[name] = f"SELECT {', '.join(cols)} FROM src_{name}"
        con.execute("VACUUM ANALYZE")
    return queries


def timed(store: Store, config: SourceConfig, company: str, label: str) -> rf.RefreshResult:
    bar = tqdm(total=1, desc=label, unit="step", leave=False)

    def step(done: int, total: int, text: str) -> None:
        bar.total, bar.n = total, done
        bar.set_description(f"{label}: {text}")
        bar.refresh()

    t0 = time.perf_counter()
    got = rf.refresh(store, config, company, progress=step)
    wall = time.perf_counter() - t0
    bar.close()
    parts = ", ".join(f"{k} {v:.1f} s" for k, v in got.seconds.items())
    print(f"{label}: {got.status} in {wall:.1f} s ({parts})")
    print(f"  {got.message}")
    if got.errors:
        for f in got.errors[:5]:
            print(f"  ERROR {f.message}")
    return got


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000, help="sales rows (default 1,000,000)")
    args = p.parse_args()
    t0 = time.perf_counter()
    tables = grown(args.rows)
    company = str(tables[schema.COMPANY][schema.COMPANY_NAME].iloc[0])
    server = PgServer()
    try:
        server.start()
        queries = fill(server, tables)
        print(
            f"set-up: {len(tables[schema.SALES]):,} sales rows, {len(tables[schema.PRODUCTS]):,} "
            f"products, {len(tables)} tables in PostgreSQL {server.bin.parent.name} "
            f"in {time.perf_counter() - t0:.1f} s (not timed)"
        )
        with tempfile.TemporaryDirectory(prefix="sop-bench-") as folder:
            store = Store(Path(folder) / "bench.duckdb")
            source_queries.set_all(store, company, queries)
            config = SourceConfig(
                {"host": "127.0.0.1", "port": str(server.port), "dbname": DATABASE,
                 "user": PLANNER, "password": PLANNER_PASSWORD},
                "the bench",
            )  # fmt: skip
            got = timed(store, config, company, "first refresh")
            if got.status != rf.LOADED:
                return 1
            versions = len(store.datasets())
            again = timed(store, config, company, "no-change refresh")
            print(
                f"  versions before {versions}, after {len(store.datasets())} "
                f"(a no-change refresh creates none): {again.status}"
            )
            total = sum(got.seconds.values())
            print(
                f"first refresh of {got.rows[schema.SALES]:,} sales rows: {total:.1f} s "
                f"(target 60 s: {'met' if total <= 60 else 'NOT met'})"
            )
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
