"""The house: imports inside `sop` only point down the S&OP layers, with no cycle, and
only `sop.ui` imports Streamlit (docs/architecture.md)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

SOP = Path(__file__).resolve().parents[2] / "sop"
LAYERS = ["core", "store", "data", "demand", "supply", "finance", "scenario", "goal", "executive"]
TOP = {"cli", "ui", "__main__"}  # side by side at the top: neither imports the other


def _modules() -> dict[str, Path]:
    out = {}
    for path in SOP.rglob("*.py"):
        name = ".".join(path.relative_to(SOP.parent).with_suffix("").parts)
        out[name.removesuffix(".__init__")] = path
    return out


def _imports(mods: dict[str, Path]) -> dict[str, set[str]]:
    """module -> the sop modules it imports (anywhere in the file)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in mods.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sop"):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    target = full if full in mods else node.module
                    if target in mods and target != name:
                        graph[name].add(target)
            elif isinstance(node, ast.Import):
                graph[name] |= {a.name for a in node.names if a.name in mods}
    return graph


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_imports_point_down_the_layers() -> None:
    up = []
    for module, targets in _imports(_modules()).items():
        own = _package(module)
        for target in targets:
            other = _package(target)
            if own == "__main__":  # `python -m sop` hands over to the command line
                ok = other == "cli"
            elif own in TOP:
                ok = other in LAYERS or other == own
            else:
                ok = other in LAYERS and LAYERS.index(other) <= LAYERS.index(own)
            if not ok:
                up.append(f"{module} -> {target}")
    assert up == []


def test_no_import_cycle() -> None:
    graph = _imports(_modules())
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt, path)
        path.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [])
    assert cycles == []


def test_only_sop_ui_imports_streamlit() -> None:
    offenders = []
    for name, path in _modules().items():
        if _package(name) == "ui":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(n == "streamlit" or n.startswith("streamlit.") for n in names):
                offenders.append(name)
    assert offenders == []
