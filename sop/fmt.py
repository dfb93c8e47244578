"""Number formatting for screens and exports: money as money, units with a unit."""
from __future__ import annotations

import math

import pandas as pd

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF ", "AUD": "A$",
           "CAD": "C$", "SEK": "SEK ", "NOK": "NOK ", "DKK": "DKK ", "PLN": "PLN "}


def symbol(currency: str) -> str:
    """The prefix used for a currency code (the code itself when unknown)."""
    return SYMBOLS.get(currency.upper(), f"{currency.upper()} ")


def _blank(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA


def money(x: float | None, currency: str = "EUR", compact: bool = True) -> str:
    """€1.25M / €980k / €12,345; exact with `compact=False`. Negative as -€1.2M."""
    if _blank(x):
        return "–"
    sign, v, sym = "-" if x < 0 else "", abs(float(x)), symbol(currency)
    if compact and v >= 1e9:
        return f"{sign}{sym}{v / 1e9:.2f}B"
    if compact and v >= 1e6:
        return f"{sign}{sym}{v / 1e6:.2f}M"
    if compact and v >= 1e4:
        return f"{sign}{sym}{v / 1e3:.0f}k"
    return f"{sign}{sym}{v:,.0f}"


def units(x: float | None, unit: str = "units") -> str:
    """12,345 units; 1.2M units when large."""
    if _blank(x):
        return "–"
    v = float(x)
    if abs(v) >= 1e6:
        return f"{v / 1e6:.2f}M {unit}"
    return f"{v:,.0f} {unit}"


def pct(x: float | None, digits: int = 1) -> str:
    """A fraction as a percentage: 0.953 -> 95.3 %."""
    if _blank(x):
        return "–"
    return f"{100 * float(x):.{digits}f} %"


def month(ts: pd.Timestamp | None) -> str:
    """Oct 2026."""
    if ts is None or pd.isna(ts):
        return "–"
    return pd.Timestamp(ts).strftime("%b %Y")
