"""Northwind Home Appliances as designed: the calendar, the regions, the families
with their seasons, trends and catalogues, the lifecycle events, the plants' lines
and labour pools and their routings (`sop.data.demo` builds the tables from them).

`table_frame` gives every demo table its schema column order and dtypes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sop.core import schema
from sop.core.tables import TABLES

COMPANY_NAME = "Northwind Home Appliances"
CURRENCY = "EUR"
AS_OF = pd.Timestamp("2026-10-01")
HISTORY = pd.date_range("2022-11-01", AS_OF, freq="MS")  # 48 months
HORIZON = pd.date_range("2026-11-01", periods=24, freq="MS")  # capacity calendar
BUDGET_MONTHS = pd.date_range("2026-11-01", "2027-12-01", freq="MS")  # rest of FY26 + FY27
PROMO_AHEAD = pd.date_range("2026-11-01", periods=12, freq="MS")
# yearly events are in the marketing calendar further ahead, over the whole horizon
EVENTS_LATER = pd.date_range("2027-11-01", periods=12, freq="MS")
PRICE_RISE_MONTH, PRICE_RISE = pd.Timestamp("2025-03-01"), 0.06
REGIONS = {"North": 0.35, "South": 0.25, "East": 0.22, "West": 0.18}
# Exponent on the seasonal index: the South's summer is hotter, the North's winter colder.
REGION_SEASON = {
    ("South", "Cooling"): 1.3,
    ("North", "Cooling"): 0.8,
    ("North", "Heating"): 1.15,
    ("South", "Heating"): 0.8,
    ("West", "Garden"): 1.1,
}
LAUNCH = {"HT-211": "2025-01-01", "GD-411": "2026-03-01"}
SUCCESSOR = {"HT-211": "HT-210"}  # takes over its volume
PHASE_OUT = {"HT-210": "2025-06-01", "KT-316": "2027-03-01"}
INTERMITTENT = ("CL-114", "HT-212", "KT-318", "GD-412")  # spare parts, premium items
GAP = ("KT-302", "East", pd.DatetimeIndex(["2024-05-01", "2024-06-01"]))
HOLIDAYS = ("01-01", "05-01", "12-25", "12-26")  # fixed-date public holidays
EASTER_MONDAYS = ("2027-03-29", "2028-04-17")  # moving holidays in the horizon
REALISATION = 0.95  # net / list price, on average
OVERHEAD = 0.03  # plant overhead, share of revenue
LABOUR_ABSORPTION = 0.8  # budget's standard labour rate = wage / 0.8 (idle time absorbed)


@dataclass(frozen=True)
class Family:
    """A product family: its season, trends, size and catalogue."""

    name: str
    code: str  # SKU prefix
    season: tuple[float, ...]  # demand index Jan..Dec (normalised later)
    growth: float  # real demand trend per year
    budget_growth: float  # growth finance assumed in the budget
    volume: float  # units/month today, before the season
    safety_months: float
    event: tuple[int, float, float, str]  # yearly promotion: month, uplift %, discount %
    products: tuple[tuple[str, float], ...]  # (name, current list price)


FAMILIES = (
    Family(
        "Cooling",
        "CL",
        (0.6, 0.65, 0.8, 0.95, 1.15, 1.4, 1.6, 1.3, 0.95, 0.75, 0.6, 0.6),
        0.05,
        1.05,
        6000,
        1.0,
        (6, 20.0, 10.0, "Summer cool deals"),
        (
            ("Desk Fan 25cm", 29.99),
            ("Tower Fan 40W", 59.99),
            ("Pedestal Fan 45W", 49.99),
            ("Tower Fan Remote 45W", 79.99),
            ("Wall Fan 40cm", 44.99),
            ("Floor Fan 45cm", 54.99),
            ("Air Cooler 7L", 129.99),
            ("Air Cooler 12L", 169.99),
            ("Evaporative Cooler 20L", 219.99),
            ("Bladeless Fan 35W", 149.99),
            ("Ceiling Fan 132cm", 119.99),
            ("Portable Air Conditioner 9000 BTU", 389.0),
            ("Clip Fan 15cm", 25.99),
            ("Industrial Drum Fan 150W", 249.99),
        ),
    ),
    Family(
        "Heating",
        "HT",
        (2.0, 1.6, 1.0, 0.5, 0.3, 0.2, 0.2, 0.3, 0.6, 1.2, 1.8, 2.3),
        -0.03,
        0.97,
        4500,
        1.0,
        (10, 20.0, 10.0, "Early winter warm-up"),
        (
            ("Fan Heater 2kW", 34.99),
            ("Oil Radiator 2kW", 89.99),
            ("Ceramic Heater 1.5kW", 69.99),
            ("Convector Heater 2kW", 79.99),
            ("Infrared Panel 600W", 249.99),
            ("Halogen Heater 1.2kW", 39.99),
            ("Oil Radiator 2.5kW", 109.99),
            ("Bathroom Heater IPX4", 59.99),
            ("Wall Panel Heater 1kW", 129.99),
            ("Convector Heater 1.5kW Classic", 64.99),
            ("Smart Convector Heater 1.5kW", 84.99),
            ("Thermostat Spare Kit", 29.99),
        ),
    ),
    Family(
        "Kitchen",
        "KT",
        (0.85, 0.85, 0.9, 0.9, 0.95, 0.9, 0.85, 0.9, 1.0, 1.05, 1.35, 1.6),
        0.01,
        1.15,
        6500,
        0.5,
        (11, 35.0, 20.0, "Black Friday week"),
        (
            ("Electric Kettle 1.7L", 39.99),
            ("Toaster 2-Slice", 34.99),
            ("Toaster 4-Slice", 54.99),
            ("Blender 1.5L", 79.99),
            ("Espresso Coffee Machine", 299.99),
            ("Filter Coffee Maker", 49.99),
            ("Air Fryer 4L", 99.99),
            ("Hand Mixer 300W", 29.99),
            ("Stand Mixer 1000W", 349.99),
            ("Juicer 800W", 89.99),
            ("Sandwich Maker", 32.99),
            ("Rice Cooker 1.8L", 59.99),
            ("Food Processor 800W", 119.99),
            ("Milk Frother", 39.99),
            ("Slow Cooker 6L", 69.99),
            ("Bread Maker Classic", 129.99),
            ("Waffle Maker", 44.99),
            ("Blender Jug Spare 1.5L", 25.99),
        ),
    ),
    Family(
        "Garden",
        "GD",
        (0.3, 0.45, 1.0, 1.9, 2.1, 1.7, 1.3, 0.9, 0.8, 0.6, 0.4, 0.35),
        0.12,
        1.02,
        3800,
        0.75,
        (4, 30.0, 15.0, "Spring garden days"),
        (
            ("Cordless Grass Trimmer 18V", 69.99),
            ("Hedge Trimmer 500W", 89.99),
            ("Leaf Blower 2500W", 119.99),
            ("Electric Lawn Mower 33cm", 149.99),
            ("Cordless Lawn Mower 37cm", 299.99),
            ("Pressure Washer 130bar", 199.99),
            ("Electric Chainsaw 2000W", 179.99),
            ("Garden Shredder 2500W", 229.99),
            ("Pole Pruner 18V", 129.99),
            ("Lawn Scarifier 1500W", 159.99),
            ("Cordless Hedge Trimmer 36V", 139.99),
            ("Robotic Mower Pro 1200", 399.0),
        ),
    ),
)
FAMILY = {f.name: f for f in FAMILIES}

# Lines: resource, plant, name, shifts, efficiency, regular cost/hour. The shared lines
# (paint, packing) and the busy Kitchen line run three shifts, the others two.
LINES = (
    ("RS-ASM1", "Riverside", "Cooling assembly", 2, 0.85, 42.0),
    ("RS-ASM2", "Riverside", "Heating assembly", 2, 0.85, 40.0),
    ("RS-PNT", "Riverside", "Paint & finish", 3, 0.80, 45.0),
    ("HC-ASM1", "Hillcrest", "Kitchen assembly", 3, 0.88, 38.0),
    ("HC-ASM2", "Hillcrest", "Garden assembly", 2, 0.85, 36.0),
    ("HC-PCK", "Hillcrest", "Packing", 3, 0.90, 30.0),
)
# Labour pools: resource, plant, name, regular cost/hour, workers.
# Sized so the pools run ~65 % on average and ~85-90 % in their peak month: a demand
# upside or the P90 needs overtime or hires.
LABOUR = (
    ("RS-LAB", "Riverside", "Assembly workforce", 34.0, 28.0),
    ("HC-LAB", "Hillcrest", "Assembly workforce", 32.0, 28.0),
)
HOURS_PER_WORKER, OVERTIME_SHARE = 140.0, 0.16
# Hours per unit: family routings, then SKU overrides for slower premium products.
# Calibrated against the same-month-last-year x trend estimate: RS-ASM1 at .032 runs
# ~17% over its regular hours in Jun-Jul 2027 and ~71% on average; every other resource
# peaks below ~80%.
ROUTING = {
    "Cooling": (("RS-ASM1", 0.032), ("RS-PNT", 0.02), ("RS-LAB", 0.25)),
    "Heating": (("RS-ASM2", 0.025), ("RS-PNT", 0.02), ("RS-LAB", 0.25)),
    "Kitchen": (("HC-ASM1", 0.025), ("HC-PCK", 0.02), ("HC-LAB", 0.2)),
    "Garden": (("HC-ASM2", 0.022), ("HC-PCK", 0.02), ("HC-LAB", 0.25)),
}
OVERRIDES = (
    ("CL-112", "RS-ASM1", 0.08),
    ("CL-112", "RS-LAB", 0.3),
    ("KT-309", "HC-ASM1", 0.06),
    ("GD-412", "HC-ASM2", 0.12),
    ("GD-412", "HC-LAB", 0.3),
)
SHUTDOWN = ("HC-ASM2", pd.Timestamp("2027-08-01"), 10)  # 2-week summer stop: 10 days less


def table_frame(table: str, data: pd.DataFrame | list[dict]) -> pd.DataFrame:
    """`data` as a frame of `table`: schema column order and dtypes, optional ones as NaN."""
    dtypes = {
        schema.STR: "string",
        schema.INT: "float64",
        schema.FLOAT: "float64",
        schema.DATE: "datetime64[ns]",
        schema.BOOL: "boolean",
    }
    df = pd.DataFrame(data)
    cols = TABLES[table].columns
    return pd.DataFrame(
        {
            c.name: (df[c.name] if c.name in df else pd.Series([None] * len(df))).astype(
                dtypes[c.dtype]
            )
            for c in cols
        }
    )
