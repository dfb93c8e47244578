"""The documentation states the code's defaults: the plan settings table of
docs/supply-planning.md is `policy_markdown()`, the lever table of docs/scenarios.md
has every `Levers` field with its unit, range, default and meaning, and the prose
that quotes default penalties quotes the code's."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sop.scenario.levers import PREFIX, Levers, lever_help
from sop.supply.policy import SupplyPolicy, field_help, policy_markdown, units_text

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _table(text: str, header: str) -> dict[str, list[str]]:
    """The rows of the Markdown table under `header`, by their first cell's first
    `code` name."""
    lines = text[text.index(header) :].splitlines()
    rows = {}
    for line in lines[2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0].split("`")[1]] = cells
    return rows


def _shown(default: object) -> str:
    if isinstance(default, tuple):
        return units_text(default) or "none"
    return str(default)


def test_the_settings_table_is_the_codes() -> None:
    doc = (DOCS / "supply-planning.md").read_text()
    rows = _table(doc, "| setting | default | meaning |")
    assert set(rows) == set(field_help()), "settings missing from or extra in the docs"
    for name, (text, _, default) in field_help().items():
        said = rows[name][1].strip("`")
        assert said == _shown(default), (
            f"docs/supply-planning.md says {name} defaults to {said}, the code to "
            f"{_shown(default)}: paste `policy_markdown()` into the table"
        )
        assert rows[name][2] == text, f"the meaning of {name} differs from its help text"
    assert policy_markdown() in doc


def test_the_prose_quotes_the_default_penalties_and_price_basis() -> None:
    doc = " ".join((DOCS / "supply-planning.md").read_text().split())
    p = SupplyPolicy()
    assert f"delivering late ({p.backlog_cost_pct:g} % a month)" in doc
    assert f"dipping below safety stock ({p.safety_stock_penalty_pct:g} % a month)" in doc
    assert f"losing the sale (the margin plus {p.lost_sales_penalty_pct:g} %)" in doc
    assert f"(`price_basis = {p.price_basis}`)" in doc


def _number(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:g}"


def _lever_default(default: object) -> str:
    if isinstance(default, tuple):
        return "none"
    if isinstance(default, str):
        return f'"{default}"'
    return str(default)


def test_the_lever_table_is_the_codes() -> None:
    rows = _table((DOCS / "scenarios.md").read_text(), "| lever | unit | range | default |")
    assert set(rows) == {PREFIX + f.name for f in dataclasses.fields(Levers)}
    for name, meta in lever_help().items():
        _, unit, rng, default, meaning = rows[PREFIX + name]
        want = "" if meta["min"] is None else f"{_number(meta['min'])} .. {_number(meta['max'])}"
        assert (unit, rng, default, meaning) == (
            meta["unit"],
            want,
            _lever_default(meta["default"]),
            meta["help"],
        ), f"docs/scenarios.md's row of {PREFIX}{name} differs from the code"
