"""`sop.ui.say`: Streamlit's Markdown text calls with every "$" escaped once (never
twice after `fmt.md` / `safe_md`), every other argument handed to Streamlit as given;
and the pages and UI modules say it through them instead of spelling `fmt.dollars`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sop.core import fmt
from sop.ui import say

ROOT = Path(__file__).resolve().parents[2]
CALLS = ("caption", "markdown", "info", "warning", "error", "success")
USD = "Budget $96k, the scenario $220k"
ESCAPED = "Budget \\$96k, the scenario \\$220k"
# calls that still spell the escape around a text call, by file: none (a new one fails)
SPELLED: dict[str, int] = {}


class Recorder:
    """Stands in for `streamlit`: each call's arguments, by name."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple, dict]] = []

    def __getattr__(self, name: str):
        def call(*args, **kwargs):
            self.calls.append((name, args, kwargs))
            return name

        return call


@pytest.fixture
def rec(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    r = Recorder()
    monkeypatch.setattr(say, "st", r)
    return r


@pytest.mark.parametrize("name", CALLS)
def test_each_call_escapes_the_body_and_passes_the_rest(rec: Recorder, name: str) -> None:
    out = getattr(say, name)(USD, True, icon=":material/info:", width=300, help="Adds $5k")
    assert out == name  # what Streamlit returns is returned
    assert rec.calls == [
        (name, (ESCAPED, True), {"icon": ":material/info:", "width": 300, "help": "Adds \\$5k"})
    ]


def test_no_help_is_added_and_a_non_text_body_is_shown_as_text(rec: Recorder) -> None:
    say.caption(12.5)
    say.info("$3", help=None)
    assert rec.calls == [("caption", ("12.5",), {}), ("info", ("\\$3",), {"help": None})]


def test_a_name_escaped_first_is_not_escaped_twice(rec: Recorder) -> None:
    """The order the code uses: names escaped (`fmt.md` / `safe_md`), then the whole
    body through `say`: one backslash before each "$", never two."""
    say.warning(f"{fmt.md('A$ Co')}: costs $5")
    say.error(f"{fmt.safe_md('Plan `B1` of *B$*')} and $2")
    say.caption(fmt.dollars("$1 and $2"))
    bodies = [args[0] for _, args, _ in rec.calls]
    assert bodies == [
        "A\\$ Co: costs \\$5",
        "Plan `B1` of \\*B\\$\\* and \\$2",
        "\\$1 and \\$2",
    ]
    assert not any("\\\\$" in b for b in bodies)


def test_a_name_ending_in_a_backslash_keeps_the_dollar_after_it_escaped() -> None:
    """A typed name "C:\\" escapes to "C\\:\\\\" (an escaped backslash): the "$" after
    it is still raw and must be escaped, or Markdown reads "$5 ... $" as maths."""
    body = fmt.dollars(fmt.md("C:\\") + "$5 and $6")
    assert body == "C\\:\\\\\\$5 and \\$6"
    assert fmt.dollars("a \\$1") == "a \\$1"  # escaped once: left as it is


def _page() -> None:
    from sop.ui import say

    say.caption("Budget $96k, the scenario $220k", help="Adds $5k")
    say.markdown("**What moved**\n- $3 more")
    say.info("Buy $7", icon=":material/local_shipping:")
    say.warning("Short $8")
    say.error("Failed at $9")
    say.success("Saved $10")


def test_streamlit_shows_each_with_its_escapes_and_arguments() -> None:
    at = AppTest.from_function(_page, default_timeout=30).run()
    assert not at.exception, at.exception
    assert [c.value for c in at.caption] == [ESCAPED]
    assert at.caption[0].help == "Adds \\$5k"
    assert [m.value for m in at.markdown] == ["**What moved**\n- \\$3 more"]
    assert [(i.value, i.icon) for i in at.info] == [("Buy \\$7", ":material/local_shipping:")]
    assert [w.value for w in at.warning] == ["Short \\$8"]
    assert [e.value for e in at.error] == ["Failed at \\$9"]
    assert [s.value for s in at.success] == ["Saved \\$10"]


def _spelled(path: Path) -> int:
    """Text calls (`st.caption(...)`, `box.warning(...)`, ...) whose body is spelled
    `dollars(...)` / `fmt.dollars(...)`: `say` is the one place that escapes."""
    n = 0
    for node in ast.walk(ast.parse(path.read_text())):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in CALLS or not node.args:
            continue
        body = node.args[0]
        if isinstance(body, ast.JoinedStr):  # f"{name}: {fmt.dollars(x)}"
            inner = [v.value for v in body.values if isinstance(v, ast.FormattedValue)]
        else:
            inner = [body]
        for v in inner:
            f = v.func if isinstance(v, ast.Call) else None
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
            n += name == "dollars"
    return n


def test_pages_say_it_rather_than_spell_the_escape() -> None:
    files = [*ROOT.glob("pages/*.py"), *ROOT.glob("sop/ui/*.py")]
    found = {str(p.relative_to(ROOT)): _spelled(p) for p in files if p.name != "say.py"}
    assert {f: n for f, n in found.items() if n} == SPELLED
