"""The Scenarios page's address: the levers on screen to and from the URL, the
levers of a shared link that cannot be used (and why), and where the levers start
on a full run of the page. No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sop.core import configfile
from sop.scenario.lever_space import LeverSpace
from sop.scenario.lever_widgets import FIRST_KEY
from sop.scenario.levers import PREFIX, Levers
from sop.scenario.wording import escape_md

CURRENT = "_scn_levers"  # session key: the Levers on screen (kept across pages)


def starting_levers(
    state: Mapping[str, Any],
    query: Mapping[str, str],
    reseed: bool,
    known: LeverSpace | None = None,
) -> tuple[Levers, bool, list[str]]:
    """(levers, seed the widgets?, problems) at a full run of the Scenarios page: a
    scenario just opened elsewhere (`reseed`), else the widgets as they are, else the
    URL's levers (a shared link; see `levers_from_url`, `known` = the dataset's lever
    space), else the last levers on screen, else the baseline."""
    stored = state.get(CURRENT, Levers())
    if reseed:
        return stored, True, []
    if FIRST_KEY in state:
        return stored, False, []
    from_url, problems = levers_from_url(query, known)
    return from_url or stored, True, problems


def query_update(current: Mapping[str, str], levers: Levers) -> tuple[dict[str, str], list[str]]:
    """(parameters to set, `scn_` parameters to delete) so the URL holds `levers`
    and keeps every other parameter."""
    want = levers.to_query()
    stale = [k for k in current if k.startswith(PREFIX) and k not in want]
    return {k: v for k, v in want.items() if current.get(k) != v}, stale


def levers_from_url(
    params: Mapping[str, str], known: LeverSpace | None = None
) -> tuple[Levers | None, list[str]]:
    """(levers, problems) of a URL's `scn_` parameters; (None, []) when it has none.

    Every lever that cannot be used is left out and named with why (not a number, not
    a month, a name the dataset lacks when `known` gives the dataset's names, ...);
    the others are kept. Out-of-range numbers are set to the nearest allowed value,
    and named too."""
    mine = {k: v for k, v in params.items() if k.startswith(PREFIX)}
    if not mine:
        return None, []
    levers, unread = Levers.parse(mine)
    names = (
        (known.families, known.regions, known.resources, known.months, known.suppliers)
        if known
        else (None, None, None, (), None)
    )
    levers, dropped = levers.without_bad(*names)
    return levers.clamped(), (
        [f"{p} (left out)" for p in unread + dropped]
        + [f"{p} (set to the nearest allowed value)" for p in levers.problems()]
    )


def _listed(problems: list[str]) -> str:
    """Problems as a Markdown list: at most `configfile.MAX_PROBLEMS`, each clipped, then
    how many more (a crafted link must not fill the page)."""
    shown = problems[: configfile.MAX_PROBLEMS]
    lines = [f"- {escape_md(configfile.clip(p))}" for p in shown]
    if len(problems) > len(shown):
        lines.append(f"- and {len(problems) - len(shown)} more")
    return "\n".join(lines)


def link_warning(problems: list[str]) -> str:
    """One Markdown warning listing every lever of a link that was left out or changed."""
    lines = _listed(problems)
    return (
        f"Some levers in this link cannot be used as they are; the others are applied:\n\n{lines}"
    )


def lever_warning(levers: Levers, known: LeverSpace) -> str | None:
    """One Markdown warning for levers on screen that are not valid or name families,
    regions, lines or supplier caps the dataset lacks (those change nothing); None when
    all is well."""
    problems = levers.problems() + levers.unknown_names(
        known.families, known.regions, known.resources, known.months, known.suppliers
    )
    if not problems:
        return None
    lines = _listed(problems)
    return f"Check these levers:\n\n{lines}"
