"""A throw-away PostgreSQL server for the tests and the refresh bench, and the tiny
dataset written into it. The server: Debian's binaries (`make pg-deps` installs them), a
cluster made by initdb in a temporary folder, started by pg_ctl on a free port with its
socket in that folder, stopped and removed by `stop` (or at exit, whatever happened).

initdb and the server refuse to run as root: as root they run as the unprivileged
`postgres` user (the Debian package creates it) through `runuser`, and the folder is
handed to that user first (checked, so a folder it cannot write fails loudly).
"""

from __future__ import annotations

import atexit
import io
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pandas as pd
import psycopg
from tiny import free_port, tiny_tables

from sop.core import schema
from sop.core.tables import TABLES

ADMIN, ADMIN_PASSWORD = "sop_admin", "adm1n-Secret!"
PLANNER, PLANNER_PASSWORD = "planner", "s3cret-Pass#42"
DATABASE = "erp"
RUN_AS = "postgres"


class ServerError(RuntimeError):
    """The test server could not be made or started; the message says what to do."""


def binaries() -> Path:
    """The newest /usr/lib/postgresql/N/bin holding initdb and pg_ctl."""
    found = sorted(
        (p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    if not found or not (found[-1] / "pg_ctl").exists():
        raise ServerError(
            "PostgreSQL's server binaries are not installed (/usr/lib/postgresql/*/bin/"
            "initdb). Run `make pg-deps` (apt-get install postgresql)."
        )
    return found[-1]


class PgServer:
    """`start()` a cluster; `dsn(...)` to reach it; `stop()` always (idempotent)."""

    def __init__(self) -> None:
        self.bin = binaries()
        self.root = Path(tempfile.mkdtemp(prefix="sop-pg-"))
        self.data = self.root / "data"
        self.port = 0
        self.running = False
        self.as_root = os.geteuid() == 0
        atexit.register(self.stop)

    def _cmd(self, *args: str) -> list[str]:
        return ["runuser", "-u", RUN_AS, "--", *args] if self.as_root else list(args)

    def _run(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run(
            self._cmd(*args), capture_output=True, text=True, timeout=timeout, check=False
        )
        if done.returncode:
            raise ServerError(f"{' '.join(args[:2])} failed: {done.stderr or done.stdout}")
        return done.stdout

    def _hand_over(self) -> None:
        if not self.as_root:
            return
        try:
            user = pwd.getpwnam(RUN_AS)
        except KeyError:
            raise ServerError(
                f"Running as root, the server must run as the `{RUN_AS}` user, which does not "
                "exist. Install Debian's postgresql package (`make pg-deps`)."
            ) from None
        os.chown(self.root, user.pw_uid, user.pw_gid)
        self.root.chmod(0o700)
        probe = subprocess.run(self._cmd("test", "-w", str(self.root)), check=False)
        if probe.returncode:
            raise ServerError(
                f"The `{RUN_AS}` user cannot write {self.root}: a folder above it is closed to "
                "other users. Set TMPDIR to a folder every user can reach (e.g. /tmp)."
            )

    def start(self) -> PgServer:
        self._hand_over()
        pwfile = self.root / "pw"
        pwfile.write_text(ADMIN_PASSWORD + "\n")
        if self.as_root:
            user = pwd.getpwnam(RUN_AS)
            os.chown(pwfile, user.pw_uid, user.pw_gid)
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            ADMIN,
            f"--pwfile={pwfile}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
        )
        pwfile.unlink()
        for _ in range(3):  # a free port may be taken between the check and the start
            self.port = free_port()
            opts = (
                f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=30"
            )
            try:
                self._run(
                    str(self.bin / "pg_ctl"),
                    "start",
                    "-D",
                    str(self.data),
                    "-o",
                    opts,
                    "-l",
                    str(self.root / "server.log"),
                    "-w",
                    "-t",
                    "60",
                )
            except ServerError:
                continue
            self.running = True
            return self
        log = self.root / "server.log"
        raise ServerError(
            "The PostgreSQL test server did not start: "
            + (log.read_text()[-2000:] if log.exists() else "no log")
        )

    def stop(self) -> None:
        if self.running:
            subprocess.run(
                self._cmd(str(self.bin / "pg_ctl"), "stop", "-D", str(self.data), "-m", "fast"),
                capture_output=True,
                timeout=60,
                check=False,
            )
            self.running = False
        shutil.rmtree(self.root, ignore_errors=True)

    def dsn(
        self,
        user: str = PLANNER,
        password: str | None = PLANNER_PASSWORD,
        dbname: str = DATABASE,
        port: int | None = None,
    ) -> str:
        """A postgresql:// URL over TCP (password checked there)."""
        who = user if password is None else f"{user}:{password}"
        return f"postgresql://{who}@127.0.0.1:{port or self.port}/{dbname}"

    def admin(self, dbname: str = DATABASE) -> psycopg.Connection:
        return psycopg.connect(self.dsn(ADMIN, ADMIN_PASSWORD, dbname), autocommit=True)


def put_table(con: psycopg.Connection, name: str, df: pd.DataFrame, types: dict[str, str]) -> None:
    """(Re)create table `name` with columns typed by `types` (SQL types) and copy `df` in."""
    cols = ", ".join(f'"{c}" {types[c]}' for c in df.columns)
    con.execute(f"DROP TABLE IF EXISTS {name} CASCADE")
    con.execute(f"CREATE TABLE {name} ({cols})")
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].dt.strftime("%Y-%m-%d")
    buf = io.StringIO()
    out.to_csv(buf, index=False, header=False)
    with con.cursor() as cur, cur.copy(f"COPY {name} FROM STDIN (FORMAT csv)") as copy:
        copy.write(buf.getvalue())


# --- the tiny dataset in the erp database (tests/pg) ----------------------------------
SQL_TYPES = {
    schema.STR: "text",
    schema.INT: "bigint",
    schema.FLOAT: "double precision",
    schema.DATE: "date",
    schema.BOOL: "boolean",
}
COMPANY = "tiny"  # the tiny dataset's company (its dataset name: it has no company table)


def source_table(name: str) -> str:
    return f"src_{name}"


def good_queries(tables: dict[str, pd.DataFrame] | None = None) -> dict[str, str]:
    """One query per tiny table; sales through renamed columns, as a real ERP would have."""
    out = {n: f"SELECT * FROM {source_table(n)}" for n in tables or tiny_tables()}
    out[schema.SALES] = (
        "SELECT item_code AS sku, period AS month, region, qty AS units, amount AS revenue\n"
        "FROM erp_monthly_sales -- the ERP's own names"
    )
    return out


def fill(con: psycopg.Connection, tables: dict[str, pd.DataFrame]) -> None:
    """Write the tables into the database as src_<table> (sales as erp_monthly_sales)."""
    for name, df in tables.items():
        types = {c.name: SQL_TYPES[c.dtype] for c in TABLES[name].columns}
        cols = [c for c in df.columns if c in types]
        put_table(con, source_table(name), df[cols], types)
    sales = tables[schema.SALES].rename(
        columns={"sku": "item_code", "month": "period", "units": "qty", "revenue": "amount"}
    )
    put_table(
        con,
        "erp_monthly_sales",
        sales,
        {
            "item_code": "text",
            "period": "date",
            "region": "text",
            "qty": "numeric(12,2)",
            "amount": "numeric(14,2)",
        },
    )
    for name in [*map(source_table, tables), "erp_monthly_sales"]:
        con.execute(f"GRANT SELECT ON {name} TO {PLANNER}")
