"""Text a person typed that starts like a formula (`=`, `+`, `-`, `@`, a tab, a CR) is
written to every workbook as text: read back with openpyxl it is a string cell holding
the text as typed, never a formula."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from exec_helpers import load

from sop.core import access, xlsx
from sop.core.access import Actor
from sop.executive import pack, pack_excel
from sop.executive import service as executive
from sop.finance import grid_excel
from sop.finance.grid import Grid
from sop.scenario import saved as saved_scenarios
from sop.scenario.levers import Levers
from sop.store import Store
from sop.store import decisions as decision_log

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = [
    '=HYPERLINK("http://evil.example","y")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


def _cells(data: bytes) -> list:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value]


def _assert_text(data: bytes, texts: list[str]) -> None:
    """Every hostile text is present as a string cell; no cell at all is a formula."""
    cells = _cells(data)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    found = {c.value for c in cells if c.data_type == "s"}
    for text in (t.replace("\r", "\n") for t in texts):
        assert any(text in str(v) for v in found), text


def test_put_keeps_formula_text_as_text() -> None:
    wb = openpyxl.Workbook()
    for i, text in enumerate(HOSTILE, start=1):
        cell = xlsx.put(wb.active, i, 1, text)
        assert cell.data_type == "s" and cell.quotePrefix
    buf = io.BytesIO()
    wb.save(buf)
    back = openpyxl.load_workbook(io.BytesIO(buf.getvalue())).active
    # XML itself stores a CR as a line feed; the text is otherwise as typed
    typed = [t.replace("\r", "\n") for t in HOSTILE]
    assert [back.cell(i, 1).value for i in range(1, len(HOSTILE) + 1)] == typed
    assert {back.cell(i, 1).data_type for i in range(1, len(HOSTILE) + 1)} == {"s"}


def test_meeting_pack_workbook_writes_names_as_text() -> None:
    """Title, summary pairs, headers, table cells, total labels, notes and grid rows."""
    frame = pd.DataFrame({"who": HOSTILE, "amount": [1.0] * len(HOSTILE)})
    spec = [("who", HOSTILE[0], "text"), ("amount", HOSTILE[3], "money")]
    part = (HOSTILE[2], pd.Series([True, False] * 3), ("amount",), HOSTILE[4])
    grid = Grid(
        family=HOSTILE[1],
        frame=pd.DataFrame(
            {"label": [HOSTILE[0]], "unit": [HOSTILE[2]], pd.Timestamp("2026-01-01"): [5.0]},
            index=[HOSTILE[0]],
        ),
        actual=(),
        plan=(pd.Timestamp("2026-01-01"),),
        gaps=(),
    )
    data = pack_excel.workbook(
        sheets=[("Decisions", frame, spec, ("amount",), part)],
        summary=[(HOSTILE[3], HOSTILE[0], "text"), ("Approved by", HOSTILE[1], "text")],
        headline=frame,
        headline_spec=spec,
        currency="EUR",
        title=HOSTILE[0],
        made_at=pd.Timestamp("2026-01-01").to_pydatetime(),
        grids={HOSTILE[1]: grid},
        notes={"Decisions": HOSTILE[5]},
    )
    _assert_text(data, HOSTILE)


def test_grid_workbook_writes_names_as_text() -> None:
    grid = Grid(
        family=HOSTILE[0],
        frame=pd.DataFrame(
            {"label": [HOSTILE[3]], "unit": ["units"], pd.Timestamp("2026-01-01"): [5.0]},
            index=["x"],
        ),
        actual=(),
        plan=(pd.Timestamp("2026-01-01"),),
        gaps=(),
    )
    _assert_text(grid_excel.workbook({HOSTILE[0]: grid}, "EUR"), [HOSTILE[3]])


def test_family_sheet_names_stay_valid_and_distinct() -> None:
    """Excel repairs a workbook whose sheet names differ only in case or end in an
    apostrophe; families named so each get their own valid sheet."""

    def grid(family: str) -> Grid:
        frame = pd.DataFrame(
            {"label": ["Demand"], "unit": ["units"], pd.Timestamp("2026-01-01"): [1.0]},
            index=["x"],
        )
        return Grid(family, frame, (), (pd.Timestamp("2026-01-01"),), ())

    families = ["Cooling'", "cooling", "COOLING", "x" * 40, "x" * 40 + "y", "a[b]:c*?/\\"]
    data = grid_excel.workbook({f: grid(f) for f in families}, "EUR")
    names = openpyxl.load_workbook(io.BytesIO(data)).sheetnames
    assert len({n.lower() for n in names}) == len(families)
    assert all(len(n) <= 31 and not n.endswith("'") for n in names)
    assert not any(set(n) & set("[]:*?/\\") for n in names)


def test_meeting_pack_keeps_approver_action_and_scenario_names_as_text(store: Store) -> None:
    """The pack the app and `python -m sop pack` write, with an approver, an action, its
    owner, a note and a scenario named like formulas."""
    load(store)
    evil = store.as_actor(Actor("x@example.com", HOSTILE[0], frozenset(access.ROLES)))
    sid = saved_scenarios.save(evil, HOSTILE[1], Levers(demand_family_pct=(("Beta", 5.0),)))
    ctx = executive.context(evil)
    executive.approve_saved(evil, ctx, sid, HOSTILE[3], pd.Timestamp("2026-01-01"))
    decision_log.add_item(
        evil, pd.Timestamp("2026-01-01"), "action", HOSTILE[2], HOSTILE[3], "2026-02-01"
    )
    view = executive.view(evil, ctx)
    meta = pack.PackMeta(HOSTILE[0], HOSTILE[2], 1, view.cycle, ctx.as_of, "EUR", pack.now())
    _assert_text(pack.excel(view, ctx.tables, meta, ctx.demand), HOSTILE[:4])


WRITERS = [
    "sop/core/xlsx.py",
    "sop/executive/pack_excel.py",
    "sop/finance/export.py",
    "sop/finance/grid_excel.py",
    "sop/data/template.py",
]


@pytest.mark.parametrize("path", WRITERS)
def test_every_writer_writes_cells_through_put(path: str) -> None:
    """No `ws.cell(..., value=...)`, `ws.append(...)` or `cell.value = ...` outside
    `xlsx.put`: a new writer that bypasses it would write formulas again."""
    tree = ast.parse((ROOT / path).read_text())
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "put" and path.endswith("xlsx.py"):
            node.body = []  # the one place allowed to set a value
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "cell" and any(k.arg == "value" for k in node.keywords):
                bad.append(node.lineno)
            if node.func.attr == "append" and "ws" in ast.unparse(node.func.value):
                bad.append(node.lineno)
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Attribute) and t.attr == "value" for t in node.targets
        ):
            bad.append(node.lineno)
    assert bad == [], f"{path}: cells written without xlsx.put at lines {bad}"
