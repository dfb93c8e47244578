"""The Scenarios page's address: the levers on screen to and from the URL, the
levers of a shared link that cannot be used (and why), and where the levers start
on a full run of the page. No Streamlit here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sop.core import configfile, fmt
from sop.scenario.lever_space import LeverSpace
from sop.scenario.lever_widgets import FIRST_KEY
from sop.scenario.levers import PREFIX, Levers
from sop.scenario.wording import escape_md

CURRENT = "_scn_levers"  # session key: the Levers on screen (kept across pages)
# a lever's "outside the plan's months" problem (`Levers.unknown_names`) ends with the
# lever's span ('2099-01 to 2099-02', '(2025-09 to 2025-11)', 'start to 2020-06'), this
# mark, the plan's span and what became of the lever ('(left out)'); only that ending is
# read, so a name typed earlier in the problem stays as typed
OUTSIDE = " is outside the plan's months ("
PLAN_SPAN = re.compile(r"(\d{4}-\d{2}) to (\d{4}-\d{2})\)((?: \([a-z ]+\))?)")
ISO_MONTH = re.compile(r"\d{4}-\d{2}")


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


def _month(text: str) -> str:
    """'2026-11' -> 'Nov 2026'; anything else as it is ('start', '(2025-09')."""
    head = "(" if text.startswith("(") else ""
    bare = text.removeprefix(head)
    return head + fmt.month_text(bare) if ISO_MONTH.fullmatch(bare) else text


def in_words(problem: str) -> str:
    """A problem with the months of an 'outside the plan's months' ending as the page
    writes months: '... 2099-01 to 2099-02 is outside the plan's months (2026-01 to
    2026-06)' -> '... Jan 2099 to Feb 2099 is outside the plan's months (Jan 2026 to
    Jun 2026)'. Any other problem is given back as it is (the CLI keeps YYYY-MM)."""
    head, mark, plan = problem.rpartition(OUTSIDE)
    span = PLAN_SPAN.fullmatch(plan) if mark else None
    before, to, last = head.rpartition(" to ")
    if span is None or not to:
        return problem
    lead, space, first = before.rpartition(" ")
    close = ")" if last.endswith(")") else ""
    lever = f"{_month(first)} to {_month(last.removesuffix(close))}{close}"
    return f"{lead}{space}{lever}{OUTSIDE}{_month(span[1])} to {_month(span[2])}){span[3]}"


def _listed(problems: list[str]) -> str:
    """Problems as a Markdown list: at most `configfile.MAX_PROBLEMS`, each clipped, then
    how many more (a crafted link must not fill the page); months in words (`in_words`)."""
    shown = problems[: configfile.MAX_PROBLEMS]
    lines = [f"- {escape_md(configfile.clip(in_words(p)))}" for p in shown]
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
