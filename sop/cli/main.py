"""`python -m sop`: the parser of every command, and one plain line for any failure."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sop.cli import (
    backtest,
    data,
    folder,
    forecast,
    goal,
    grid,
    pack,
    plan,
    scenario,
    source,
    template,
    users,
)
from sop.core.access import AccessDenied
from sop.store import StoreError

STORE_HELP = "DuckDB store file (default: $SOP_STORE, else data/sop.duckdb)"
# in the order `python -m sop --help` lists them
COMMAND_GROUPS = (
    data,
    template,
    source,
    backtest,
    forecast,
    plan,
    scenario,
    goal,
    pack,
    grid,
    users,
)
OUT_IS_FOLDER = {"demo", "pack"}  # the other commands' --out is a file


class _Subparsers:
    """Every command also takes --store after its name (`python -m sop plan --store
    x.duckdb`), not only before it."""

    def __init__(self, action: argparse._SubParsersAction) -> None:
        self.action = action

    def add_parser(self, name: str, **kw) -> argparse.ArgumentParser:
        s = self.action.add_parser(name, description=kw.get("help"), **kw)
        s.add_argument("--store", type=Path, default=argparse.SUPPRESS, help=STORE_HELP)
        return s


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m sop",
        description="S&OP Studio command line.",
        epilog="`python -m sop COMMAND --help` describes a command. Exit code 0 when it "
        "is done; otherwise the reason is printed and the code is not 0. The command line "
        "acts as the person at this machine ($SOP_USER, else the login name), with every "
        "role: a shell user can open the store file anyway, so the roles of `python -m sop "
        "users` guard the app, not the file.",
    )
    p.add_argument("--store", type=Path, default=None, help=STORE_HELP)
    sub = _Subparsers(p.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    for group in COMMAND_GROUPS:
        group.add_commands(sub.add_parser)
    return p


def out_problem(path: Path, folder: bool) -> str | None:
    """Why `--out path` cannot be written (None when it can): checked before any work,
    so a long run never ends on a traceback. Creates the missing folders."""
    target = path if folder else path.parent
    if folder and path.exists() and not path.is_dir():
        return f"--out {path} is a file; give a folder to write into."
    if not folder and path.is_dir():
        return f"--out {path} is a folder; give a file name, e.g. {path / 'out.json'}."
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return (
            f"--out {path}: cannot create the folder {target} "
            f"({exc.strerror or exc}). Choose a folder you can write to."
        )
    if not os.access(target, os.W_OK | os.X_OK):
        return f"--out {path}: cannot write into {target}. Choose a folder you can write to."
    return None


def main(argv: list[str] | None = None) -> int:
    """Run one command: 0 done, 1 refused or nothing to do (said why), 2 bad input,
    3 an unexpected failure (a bug), 4 `goal`: the targets cannot all be met, 130
    interrupted. A failure is one plain line on standard error, never a traceback
    (set SOP_DEBUG=1 to see one)."""
    args = build_parser().parse_args(argv)
    out = getattr(args, "out", None)
    why = folder.unused(args)  # --map or --mapping-of without --data would change nothing
    if why is None and out is not None:
        why = out_problem(Path(out), args.command in OUT_IS_FOLDER)
    if why:
        print(f"ERROR    {why}", file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except StoreError as exc:
        print(f"ERROR    {exc}", file=sys.stderr)
        return 2
    except AccessDenied as exc:  # a PermissionError: before OSError's "check the path"
        print(f"ERROR    {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except OSError as exc:
        if os.environ.get("SOP_DEBUG"):
            raise
        where = f" ({exc.filename})" if exc.filename else ""
        print(
            f"ERROR    {exc.strerror or exc}{where}. Check the path and its permissions.",
            file=sys.stderr,
        )
        return 2
    except Exception as exc:  # noqa: BLE001 - a command line never shows a traceback
        if os.environ.get("SOP_DEBUG"):
            raise
        print(
            f"ERROR    `{args.command}` failed: {type(exc).__name__}: {exc}. This is a "
            "bug, please report it with the command; SOP_DEBUG=1 shows the traceback.",
            file=sys.stderr,
        )
        return 3
