"""A check's message quotes what the data holds: on the Data page's Quality checks
drill-down a SKU written as a Markdown link in bold shows as typed, never as a live
link or bold text, while the code spans the app writes around column names
(`sku`, `sales.family`) still render as code."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest
from test_hostile_names import RAW_HTML, _texts
from tiny import tiny_tables

from sop.core import fmt, schema
from sop.data.validate import check_tables
from sop.store import Store

EVIL = "[x](http://evil.example) **A9**"
DRILL = "sales: References exist"
# the names below live outside code spans: a link, HTML, bold (either mark), an address
LIVE = re.compile(r"(?<!\\)\]\((?:\\?h)|<b>x|<a |<img|(?<!\\)(\*\*|__)A9|https?://evil|www\.evil")


def code_spans(text: str) -> tuple[list[str], str]:
    """(the contents of the code spans of a Markdown `text`, the text outside them), as
    CommonMark pairs backtick runs: a run opens a span that the next run of the same
    length closes; a backslash-escaped backtick opens none; an unclosed run is text."""
    spans, outside, i = [], [], 0
    while i < len(text):
        if text[i] == "\\":
            outside.append(text[i : i + 2])
            i += 2
            continue
        if text[i] != "`":
            outside.append(text[i])
            i += 1
            continue
        end = i
        while end < len(text) and text[end] == "`":
            end += 1
        closer = re.compile(rf"(?<!`){'`' * (end - i)}(?!`)")
        found = closer.search(text, end)
        if found is None:
            outside.append(text[i:end])
            i = end
            continue
        spans.append(text[end : found.start()])
        i = found.end()
    return spans, "".join(outside)


def live(where: str, text: str, spans_ok: bool = False) -> bool:
    """Is a name typed in the data live in `text` (drawn at `where`): markup outside
    the code spans, or (unless `spans_ok`: the name holds a pair of backticks itself)
    the name inside one, shown as code rather than as typed?"""
    if where in ("chart", "html.value", "html.body"):
        return bool(RAW_HTML.search(text))
    spans, outside = code_spans(text)
    return bool(LIVE.search(outside)) or (not spans_ok and any("evil" in s for s in spans))


@pytest.fixture
def evil_sku(store: Store) -> Store:
    """Tiny, with SKU B1's sales (not its product) renamed `EVIL`: a warning, so it loads."""
    t = tiny_tables()
    sales = t[schema.SALES]
    sales.loc[sales[schema.SKU] == "B1", schema.SKU] = EVIL
    report = check_tables(t)
    assert report.ok, [f.message for f in report.errors]
    assert any(EVIL in f.message for f in report.warnings)  # the message quotes it raw
    store.load(report.tables, name="evil sku")
    return store


def test_the_drill_down_shows_a_quoted_sku_as_typed(evil_sku: Store, open_app) -> None:
    at: AppTest = open_app("pages/data.py")
    drill = at.selectbox(key="data_drill")
    at = drill.select_index(drill.options.index(DRILL)).run()
    assert not at.exception, at.exception
    shown = [w.value for w in at.warning if "evil" in w.value]
    assert shown, [w.value for w in at.warning]  # not vacuous: the finding is drawn
    bad = [(w, t[:300]) for w, t in _texts(at._tree) if "evil" in t and live(w, t)]
    assert not bad, "\n".join(f"{where}: {t!r}" for where, t in bad)
    # readable: the name reads as typed, the app's own code spans still render as code
    spans, outside = code_spans(shown[0])
    assert {"sku", "sales.family"} <= set(spans), shown[0]
    assert fmt.safe_md(EVIL) in outside


@pytest.mark.parametrize(
    "name",
    [
        EVIL,
        "``a`b``[x](http://evil.example)`",  # backtick runs pairing unlike single spans
        "`[x](http://evil.example)`",
        "a`\n\n[x](http://evil.example)`",  # a blank line ends a paragraph and its span
        "\\`[x](http://evil.example) **A9**`",
        "<b>x</b> __A9__ www.evil.example",
    ],
)
def test_a_message_quoting_a_name_shows_it_as_typed(name: str) -> None:
    message = (
        f"sales.csv, column `sku`: 1 row refers to unknown sku {name}: row 2. Add it to "
        "products; until then it is planned in the family of `sales.family`."
    )
    for paragraph in fmt.safe_md(message).split("\n\n"):
        assert not live("markdown.value", paragraph, spans_ok="`" in name), paragraph
    if "`" not in name:  # a backtick typed pairs with the app's: its spans shift, harmlessly
        assert {"sku", "sales.family"} <= set(code_spans(fmt.safe_md(message))[0])
