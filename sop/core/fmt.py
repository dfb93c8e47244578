"""Number formatting for screens and exports: money as money, units with a unit; and
text a person typed (a company, dataset, scenario, family or SKU name, a reason, a
decision) made safe for each medium it is shown in: `md` for Markdown (Streamlit's
markdown, captions, labels, alerts), `html_text` for HTML (the meeting pack's report),
`plot_text` for Plotly (legends, hover text, axis categories, annotations). A name is
never wrapped in backticks: inside a code span escapes do not work and a backtick in
the name ends the span."""

from __future__ import annotations

import html
import math
import re

import numpy as np
import pandas as pd

from sop.core.months import month_start

SYMBOLS = {
    "EUR": "€",
    "USD": "$",
    "GBP": "£",
    "JPY": "¥",
    "CHF": "CHF ",
    "AUD": "A$",
    "CAD": "C$",
    "SEK": "SEK ",
    "NOK": "NOK ",
    "DKK": "DKK ",
    "PLN": "PLN ",
}


def symbol(currency: str) -> str:
    """The prefix used for a currency code (the code itself when unknown)."""
    return SYMBOLS.get(currency.upper(), f"{currency.upper()} ")


def missing(x: object) -> bool:
    """Whether `x` holds no number to show or compute with: None, pandas' NA, or a
    number that is not finite (NaN, +inf, -inf; a Python, NumPy or pandas one). Shown
    as "–" by the formatters here."""
    return x is None or x is pd.NA or not math.isfinite(float(x))


def _magnitude(v: float, sym: str, compact: bool) -> str:
    """A non-negative amount with its symbol, rounded as shown."""
    if compact and v >= 1e9:
        return f"{sym}{v / 1e9:.2f}B"
    if compact and v >= 1e6:
        return f"{sym}{v / 1e6:.2f}M"
    if compact and v >= 1e4:
        return f"{sym}{v / 1e3:.0f}k"
    return f"{sym}{v:,.0f}"


def money(x: float | None, currency: str = "EUR", compact: bool = True) -> str:
    """€1.25M / €980k / €12,345; exact with `compact=False`. The sign goes before the
    symbol (-€1.2M); an amount that rounds to zero is €0, never -€0."""
    if missing(x):
        return "–"
    v, sym = float(x), symbol(currency)
    if abs(v) < 0.5:
        return f"{sym}0"
    return ("-" if v < 0 else "") + _magnitude(abs(v), sym, compact)


def money_delta(x: float | None, currency: str = "EUR", compact: bool = True) -> str:
    """A change of money with an explicit sign: +€1.94M / -€192k; €0 when it rounds to
    zero (no sign)."""
    if missing(x):
        return "–"
    v = float(x)
    if abs(v) < 0.5:
        return f"{symbol(currency)}0"
    return ("+" if v > 0 else "-") + _magnitude(abs(v), symbol(currency), compact)


def money_tick(x: float, currency: str = "EUR") -> str:
    """A short axis label: €2.5M, -€800k, €0 (the sign before the symbol)."""
    v, sym = float(x), symbol(currency)
    if abs(v) < 0.5:
        return f"{sym}0"
    a = abs(v)
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= div:
            text = f"{a / div:.2f}".rstrip("0").rstrip(".") + suffix
            break
    else:
        text = f"{a:,.0f}"
    return ("-" if v < 0 else "") + sym + text


def money_ticks(
    lo: float, hi: float, currency: str = "EUR", target: int = 6, include_zero: bool = True
) -> tuple[list[float], list[str]]:
    """(values, labels) of round axis ticks covering lo..hi (and zero unless
    `include_zero` is False), labelled by `money_tick`: for chart axes that need the
    sign before the symbol (a plain tick prefix puts it after: €-800k)."""
    lo, hi = float(lo), float(hi)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0], [money_tick(0.0, currency)]
    if include_zero:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi - lo <= 0:
        hi, lo = hi + max(abs(hi), 1.0) * 0.5, lo - max(abs(lo), 1.0) * 0.5
    raw = (hi - lo) / max(target - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = max(
        min((m * power for m in (1, 2, 2.5, 5, 10)), key=lambda c: abs(math.log(c / raw))), 1.0
    )
    first, last = math.floor(lo / step), math.ceil(hi / step)
    values = [k * step for k in range(first, last + 1)]
    return values, [money_tick(v, currency) for v in values]


SINGULAR = {
    "units": "unit",
    "unit-months": "unit-month",
    "hours": "hour",
    "days": "day",
    "months": "month",
}


def units(x: float | None, unit: str = "units") -> str:
    """12,345 units; 1.2M units when large; 1 unit, 1 unit-month (the units of
    `SINGULAR` read singular at 1; a unit of measure from the data stays as typed)."""
    if missing(x):
        return "–"
    v = float(x) if abs(float(x)) >= 0.5 else 0.0
    if abs(v) >= 1e6:
        return f"{v / 1e6:.2f}M {unit}"
    text = f"{v:,.0f}"
    one = text in ("1", "-1") and unit in SINGULAR
    return f"{text} {SINGULAR[unit] if one else unit}"


COUNT_DIGITS = 2  # the most decimals `count` shows without `digits`


def count(n: float | None, noun: str, plural: str | None = None, digits: int | None = None) -> str:
    """A count with its noun, singular only when the number reads 1 or -1: '1 month',
    '3 months', '1,250 SKUs', '0 days', '-1 day' (a change); `plural` for an irregular
    one ('2 families', '3 saved queries'). `digits` fixes the decimals ('1.0 worker',
    '2.5 workers'); without it a fraction shows up to two decimals, trailing zeros
    dropped ('0.5 months', '12,345.25 months'). Never an exponent; a count that rounds
    to zero reads 0, never -0."""
    if missing(n):
        return "–"
    v = float(n)
    if digits is not None:
        text = f"{v:,.{digits}f}"
    else:
        text = f"{v:,.{COUNT_DIGITS}f}".rstrip("0").rstrip(".")
    shown = float(text.replace(",", ""))
    if shown == 0 and text.startswith("-"):
        text = text[1:]
    one = abs(shown) == 1.0
    return f"{text} {noun if one else plural or noun + 's'}"


def pct(x: float | None, digits: int = 1) -> str:
    """A fraction as a percentage: 0.953 -> 95.3 %."""
    if missing(x):
        return "–"
    return f"{100 * float(x):.{digits}f} %"


LABELS = {
    "sku": "SKU",
    "uom": "Unit",
    "shadow_price": "Shadow price",
    "per": "Per",
    "max_overtime_hours": "Overtime cap",
    "overtime_hours": "Overtime",
    "inventory_change": "Stock change",
    "lost_goodwill": "Lost-sale goodwill",
    "below_safety_stock": "Below safety stock",
    "material_cost": "Material",
    "subcontract_cost": "Subcontract",
    "holding_cost": "Holding",
    "backlog_cost": "Backlog cost",
    "safety_stock_penalty": "Safety-stock penalty",
}


def label(column: str) -> str:
    """A column name as a screen label: `lost_sales` -> "Lost sales"."""
    return LABELS.get(column, column.replace("_", " ").capitalize())


def month(ts: pd.Timestamp | None) -> str:
    """Oct 2026."""
    if ts is None or pd.isna(ts):
        return "–"
    return pd.Timestamp(ts).strftime("%b %Y")


def month_span(first: object, last: object) -> str:
    """A range of months as the app writes it: 'Dec 2026 to May 2027', one month alone
    'Feb 2027'. Months as Timestamps or as text ('2026-11', `month_text`)."""
    a, b = (month_text(m) if isinstance(m, str) else month(m) for m in (first, last))
    return a if a == b else f"{a} to {b}"


def month_runs(months: object) -> str:
    """Months in words, each run of consecutive months as one range (`month_span`), the
    runs joined by commas and a last 'and': 'Nov 2026 to Mar 2027, Oct 2027 and Jan
    2028'; '' for none."""
    m = pd.DatetimeIndex(pd.to_datetime(pd.Series(list(months))).dropna().unique()).sort_values()
    if m.empty:
        return ""
    n = np.asarray(m.year * 12 + m.month)
    breaks = np.flatnonzero(np.diff(n) != 1) + 1
    runs = [month_span(r[0], r[-1]) for r in np.split(m, breaks)]
    return runs[0] if len(runs) == 1 else ", ".join(runs[:-1]) + " and " + runs[-1]


def month_text(text: object) -> str:
    """A month kept as text ('2026-11': levers, targets, links) as the app writes months
    ('Nov 2026'); text that is no month is given back as it is ('' stays '')."""
    try:
        return month(month_start(text)) if text else ""
    except ValueError:
        return str(text)


# every character Markdown (CommonMark, GitHub's extensions and Streamlit's own:
# :material/icon:, :red[...], $latex$) may give a meaning to; `&` so an entity
# (&lt;) shows as typed
MD_SPECIAL = "\\`*_{}[]()#+-.!|<>$~:&"
# GitHub's autolink literals (http://, https://, www., name@host) are found in the text
# after the escapes are read, so no escape stops them: an invisible WORD JOINER
# (U+2060) inside "://", after "www" and after "@" does, and the text reads the same
WORD_JOINER = "\u2060"
AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)


def md(text: object) -> str:
    """Text shown through Markdown exactly as typed: every special character escaped
    (a link, an image, emphasis, HTML, a heading, a list or a code span in a name is
    shown as its characters) and a web or e-mail address kept from becoming a link.
    Use it for every name in st.markdown, st.caption, st.info and the like, and in
    widget labels (they are Markdown too)."""
    return "".join("\\" + c if c in MD_SPECIAL else c for c in unlinked(text))


def unlinked(text: object) -> str:
    """`text` with every web or e-mail address kept from becoming a link in Markdown
    (GFM links bare http://, www. and name@host after the escapes are read): a word
    joiner inside it, so it reads the same."""
    return AUTOLINK.sub(WORD_JOINER, str(text))


def html_text(text: object) -> str:
    """Text shown in HTML exactly as typed (`&`, `<`, `>` and both quotes escaped)."""
    return html.escape(str(text), quote=True)


def plot_text(text: object) -> str:
    """Text shown by Plotly exactly as typed: Plotly renders <b>, <i>, <br>, <a href>
    and <span style> tags in titles, legends, hover text, tick labels and annotations,
    and fills %{...} in a hover template; `&`, `<`, `>` and `%` escaped as HTML entities
    (Plotly turns them back into the characters) show as typed."""
    return (
        str(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("%", "&#37;")
    )


# a message the app writes around names a person typed (a check's finding, a load's
# outcome): outside the app's `code` spans, every character that gives Markdown or
# Streamlit a meaning inline is escaped (a backtick too, so a typed one opens no span),
# and line-start marks (a list, a rule, a heading underline) where a line starts
_MESSAGE_SPECIAL = re.compile(r"([\\`*_\[\]<>$~|#&])")
_LINE_MARK = re.compile(r"^([ \t]*)([-+=])|^([ \t]*\d+)([.)])(?=[ \t]|$)", re.MULTILINE)
# a code span as `sop.data.csvtext.code` writes it: one backtick each side, none in it,
# no backtick next to it (a longer run would pair differently in Markdown), on one line
# (a blank line would end it)
_CODE_SPAN = re.compile(r"((?<!`)`[^`\n]+`(?!`))")


def safe_md(text: object) -> str:
    """A message the app wrote (a finding of a check, an outcome) for Markdown: its
    `code` spans render as code, and any name a person typed in it shows as typed: it
    cannot format the text (`*`, `_`, `[`, `$`, a backtick... escaped, `:word` kept as
    written), nor become a link (`unlinked`), a list or a heading. `md` escapes more
    (every backtick too): use it for a name alone."""
    parts = _CODE_SPAN.split(str(text))
    return "".join(p if i % 2 else _message_text(p) for i, p in enumerate(parts))


def _message_text(text: str) -> str:
    escaped = re.sub(r":(?=\S)", r"\\:", _MESSAGE_SPECIAL.sub(r"\\\1", unlinked(text)))
    return _LINE_MARK.sub(lambda m: f"{m[1] or ''}\\{m[2]}" if m[2] else f"{m[3]}\\{m[4]}", escaped)


# a "$" after no backslash, or after escaped backslashes (pairs of them), is raw
_RAW_DOLLAR = re.compile(r"(?<!\\)((?:\\\\)*)\$")


def dollars(text: object) -> str:
    """Text shown through Markdown with every "$" not already escaped written "\\$":
    Streamlit renders `$...$` as LaTeX (no option turns it off), so two dollar amounts
    ("Budget $26.55M: this plan $27.75M") would show the text between them as maths.
    Only "$" is touched: a name escaped by `md` / `safe_md` keeps its escapes (never
    doubled), and the rest of the text keeps its Markdown. For Markdown only: Plotly,
    tables, Excel and HTML show "$" as it is."""
    return _RAW_DOLLAR.sub(r"\1\\$", str(text))
