"""A name shown through Markdown never becomes a link: Streamlit's Markdown (GitHub's
autolink literals) turns a bare http://, https://, www. or e-mail address in the text
into a link after the escapes are read, so `fmt.md` breaks each with an invisible
WORD JOINER while the text reads the same."""

from __future__ import annotations

import re

import pytest

from sop.core import fmt
from sop.ui.upload import safe_md

# the patterns of remark-gfm's autolink literals (mdast-util-gfm-autolink-literal),
# applied to the text after Markdown has read its escapes
URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)", re.IGNORECASE)
EMAIL = re.compile(r"([-.+\w]+)@([-\w]+(?:\.[-\w]+)+)")


def _as_read(escaped: str) -> str:
    """The text Markdown holds once it has read the backslash escapes."""
    return re.sub(r"\\(.)", r"\1", escaped)


def _as_seen(escaped: str) -> str:
    """What a reader sees: the text without the invisible joiners."""
    return _as_read(escaped).replace(fmt.WORD_JOINER, "")


HOSTILE = [
    '=HYPERLINK("http://x.example","Severe <b>squeeze</b>")',
    "see https://x.example/a?b=c#d now",
    "HTTPS://X.EXAMPLE and Http://x.example",
    "www.x.example and WWW.X.EXAMPLE",
    "(www.x.example)",
    "write to ann@x.example or bob.smith+sop@mail.x.example",
    "*www.x.example* _http://x.example_",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_an_address_in_a_name_is_shown_but_is_no_link(text: str) -> None:
    assert URL.search(_as_read(text)) or EMAIL.search(_as_read(text))  # the test can fail
    shown = fmt.md(text)
    read = _as_read(shown)
    assert not URL.search(read), read
    assert not EMAIL.search(read), read
    assert _as_seen(shown) == text


@pytest.mark.parametrize("text", ["Severe squeeze", "Plan 2026: 5 % more", "a:b // c", "w.w.w"])
def test_a_name_without_an_address_gets_no_joiner(text: str) -> None:
    assert fmt.WORD_JOINER not in fmt.md(text)
    assert _as_read(fmt.md(text)) == text


def test_a_finding_message_keeps_its_code_spans_and_breaks_links_outside_them() -> None:
    shown = safe_md("sales.csv from http://x.example: column `units`: see www.x.example")
    assert "`units`" in shown  # a code span is literal already (no link inside it)
    read = _as_read(shown)
    assert not URL.search(read.replace("`units`", "")), read
    assert _as_seen(shown) == "sales.csv from http://x.example: column `units`: see www.x.example"
