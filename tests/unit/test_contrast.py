"""Text contrast meets WCAG 2 AA (4.5:1) wherever the app sets its colours (issue 17):
the Streamlit theme (.streamlit/config.toml), the CSS of our tables (the Data page's
checks, the S&OP grid's gap rows, the Executive risk table, the HTML meeting pack) and
the Plotly template's text. Every colour is read from its real source, not a copy.

Contrast is the WCAG 2 ratio (L1 + 0.05) / (L2 + 0.05) of the relative luminances
L = 0.2126 R + 0.7152 G + 0.0722 B of the linearised sRGB channels."""

from __future__ import annotations

import re
import tomllib

import plotly.io as pio
import pytest
from tiny import ROOT

from sop.core import charts
from sop.executive import pack_html, risks
from sop.ui import grid, widgets

AA = 4.5
NAMED = {"white": "#FFFFFF", "black": "#000000"}


def rgb(colour: str) -> tuple[int, int, int]:
    """#RGB, #RRGGBB or a CSS name as (r, g, b) in 0-255."""
    c = NAMED.get(colour.strip().lower(), colour.strip()).lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    assert re.fullmatch(r"[0-9A-Fa-f]{6}", c), colour
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def luminance(colour: str) -> float:
    def linear(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(v) for v in rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: str, bg: str) -> float:
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def over(fg: str, bg: str, alpha: float) -> str:
    """`fg` drawn with opacity `alpha` on `bg`, as one opaque colour."""
    mix = (round(alpha * f + (1 - alpha) * b) for f, b in zip(rgb(fg), rgb(bg)))
    return "#" + "".join(f"{v:02X}" for v in mix)


def css_pairs(css: str) -> list[tuple[str, str, str]]:
    """(rule, text colour, background) of every CSS rule that sets a text colour; the
    background is the rule's own, else the white page."""
    out = []
    for selector, body in re.findall(
        r"([^{}]+)\{([^{}]*)\}", css.replace("{{", "{").replace("}}", "}")
    ):
        decl = dict(
            (k.strip().lower(), v.strip())
            for k, v in (d.split(":", 1) for d in body.split(";") if ":" in d)
        )
        if "color" in decl:
            bg = decl.get("background-color", decl.get("background", "#FFFFFF"))
            out.append((selector.strip(), decl["color"], bg))
    return out


def theme() -> dict:
    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]


# --- the formula, on values published with WCAG ---------------------------------------
def test_the_ratio_matches_known_values() -> None:
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    assert contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)  # just fails AA
    assert contrast("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)  # just passes
    assert contrast("#FFF", "#1F4E79") == contrast("#1F4E79", "white")
    assert over("#000000", "#FFFFFF", 0.6) == "#666666"


def test_css_pairs_read_a_rule_with_and_without_background() -> None:
    pairs = css_pairs("a{color:#111} .b{{background-color: #EEE; color: #222}}")
    assert pairs == [("a", "#111", "#FFFFFF"), (".b", "#222", "#EEE")]


# --- the Streamlit theme -----------------------------------------------------------------
def test_theme_text_reads_on_both_backgrounds() -> None:
    t = theme()
    assert contrast(t["textColor"], t["backgroundColor"]) >= AA
    assert contrast(t["textColor"], t["secondaryBackgroundColor"]) >= AA


def test_captions_read_on_both_backgrounds() -> None:
    """Streamlit draws captions, help and widget hints in the text colour at 60 %
    opacity (measured by axe in Chromium: #1B1F24 gave #76797C on white, 4.37:1)."""
    t = theme()
    assert over("#1B1F24", "#FFFFFF", 0.6) == "#76797C"  # the measured case
    for bg in (t["backgroundColor"], t["secondaryBackgroundColor"]):
        assert contrast(over(t["textColor"], bg, 0.6), bg) >= AA, bg


def test_primary_colour_reads_on_white_and_carries_white_text() -> None:
    t = theme()
    assert contrast(t["primaryColor"], "#FFFFFF") >= AA  # links, focus, selected tab
    assert contrast("#FFFFFF", t["primaryColor"]) >= AA  # a primary button's label


# --- our CSS ------------------------------------------------------------------------------
STYLES = {
    **{f"data check {k}": v for k, v in widgets.STATUS_STYLE.items()},
    **{f"grid gap {k}": v for k, v in grid.GAP_STYLE.items()},
}


@pytest.mark.parametrize("name", sorted(STYLES))
def test_coloured_cells_read(name: str) -> None:
    ((_, fg, bg),) = css_pairs("x{" + STYLES[name] + "}")
    assert bg != "#FFFFFF"  # the style sets its own background
    assert contrast(fg, bg) >= AA, (name, fg, bg)


@pytest.mark.parametrize(
    "where, css", [("executive risks", risks.TABLE_CSS), ("meeting pack", pack_html.CSS)]
)
def test_every_text_colour_of_a_stylesheet_reads_on_its_background(where: str, css: str) -> None:
    pairs = css_pairs(css)
    assert len(pairs) >= 4, pairs
    low = [(r, fg, bg, round(contrast(fg, bg), 2)) for r, fg, bg in pairs if contrast(fg, bg) < AA]
    assert low == [], where


def test_pack_body_text_reads_on_its_shaded_boxes() -> None:
    """Notes and the grid's gap rows set only a background: the body text sits on it."""
    body = next(fg for r, fg, _ in css_pairs(pack_html.CSS) if r == "body")
    shades = re.findall(r"background:(#[0-9A-Fa-f]{3,6})[;}]", pack_html.CSS)
    assert "#FFF6E5" in shades  # the gap rows' and notes' shade
    for bg in shades:
        if bg != "#1F4E79":  # the header's own (white) text is checked above
            assert contrast(body, bg) >= AA, bg


# --- the chart template -------------------------------------------------------------------
def test_chart_text_reads_on_the_chart_background() -> None:
    layout = pio.templates[charts.TEMPLATE].layout
    texts = {
        "font": layout.font.color,
        "title": layout.title.font.color,
        "legend": layout.legend.font.color,
        "x ticks": layout.xaxis.tickfont.color,
        "y ticks": layout.yaxis.tickfont.color,
        "x title": layout.xaxis.title.font.color,
        "y title": layout.yaxis.title.font.color,
    }
    assert None not in texts.values(), texts  # each set, not left to Plotly's default
    for bg in (layout.paper_bgcolor, layout.plot_bgcolor):
        for what, fg in texts.items():
            assert contrast(fg, bg) >= AA, (what, fg, bg)
