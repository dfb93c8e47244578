"""Streamlit's Markdown text calls with money's "$" shown as typed: `say.caption`,
`say.markdown`, `say.info`, `say.warning`, `say.error`, `say.success`.

Streamlit renders `$...$` in Markdown as LaTeX and no setting turns it off, so a
company in US dollars would read "Budget $96k ... the scenario $220k" with the text
between the amounts as maths. Each call here escapes every "$" of its body and of its
`help` (`fmt.dollars`) and hands every other argument to Streamlit as given (`icon=`,
`width=`, `unsafe_allow_html` ...): a page says `say.caption(note)` where it would say
`st.caption(note)`, and never spells the escape. Like `st.caption`, each writes where
it is called (inside `with column:` too).

Names a person typed are escaped first (`fmt.md` / `safe_md`, which escape their "$"
too); the body then goes through `fmt.dollars`, which leaves an escaped "\\$" as it is,
so a "$" is never escaped twice. Only for Markdown: Plotly, grids, Excel and HTML show
"$" as it is."""

from __future__ import annotations

from typing import Any

import streamlit as st

from sop.core.fmt import dollars


def _help(kwargs: dict[str, Any]) -> dict[str, Any]:
    """`kwargs` with the tooltip's "$" escaped (a help is Markdown too)."""
    if isinstance(kwargs.get("help"), str):
        return {**kwargs, "help": dollars(kwargs["help"])}
    return kwargs


def caption(body: object, *args: Any, **kwargs: Any) -> Any:
    """`st.caption(body, ...)`, its "$" escaped."""
    return st.caption(dollars(body), *args, **_help(kwargs))


def markdown(body: object, *args: Any, **kwargs: Any) -> Any:
    """`st.markdown(body, ...)`, its "$" escaped."""
    return st.markdown(dollars(body), *args, **_help(kwargs))


def info(body: object, *args: Any, **kwargs: Any) -> Any:
    """`st.info(body, ...)`, its "$" escaped."""
    return st.info(dollars(body), *args, **_help(kwargs))


def warning(body: object, *args: Any, **kwargs: Any) -> Any:
    """`st.warning(body, ...)`, its "$" escaped."""
    return st.warning(dollars(body), *args, **_help(kwargs))


def error(body: object, *args: Any, **kwargs: Any) -> Any:
    """`st.error(body, ...)`, its "$" escaped."""
    return st.error(dollars(body), *args, **_help(kwargs))


def success(body: object, *args: Any, **kwargs: Any) -> Any:
    """`st.success(body, ...)`, its "$" escaped."""
    return st.success(dollars(body), *args, **_help(kwargs))
