"""Deterministic demo data: Northwind Home Appliances, a seasonal appliance maker.

`build_demo(seed)` returns one DataFrame per table of `sop.schema.TABLES` (all but
`consensus`: the demo has no loaded consensus plan), columns in schema order;
`write_demo(out_dir, seed)` writes them as `<table>.parquet`, byte-identical for a
seed. The data is designed to tell the story the app is built for:

- four families with different seasons and trends, four regions of different size;
- past promotions that lift the history; planned SKU promotions in the next 12 months
  and the yearly family events (Black Friday, ...) over the next 24;
- list prices up 6% on 2025-03; a launch with a short history (GD-411); a phase-out
  ahead (KT-316) and one in the past (HT-210, replaced by HT-211); intermittent
  spare-part / premium SKUs; one gap in the history (KT-302 / East, 2024-05..06);
- capacity that is enough on average but binds on RS-ASM1 (Cooling assembly) in
  June-July 2027, while every other resource stays below ~80%;
- a budget above the likely forecast for Kitchen and below it for Garden.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sop.core import schema

COMPANY_NAME = "Northwind Home Appliances"
CURRENCY = "EUR"
AS_OF = pd.Timestamp("2026-10-01")
HISTORY = pd.date_range("2022-11-01", AS_OF, freq="MS")               # 48 months
HORIZON = pd.date_range("2026-11-01", periods=24, freq="MS")          # capacity calendar
BUDGET_MONTHS = pd.date_range("2026-11-01", "2027-12-01", freq="MS")  # rest of FY26 + FY27
PROMO_AHEAD = pd.date_range("2026-11-01", periods=12, freq="MS")
# yearly events are in the marketing calendar further ahead, over the whole horizon
EVENTS_LATER = pd.date_range("2027-11-01", periods=12, freq="MS")
PRICE_RISE_MONTH, PRICE_RISE = pd.Timestamp("2025-03-01"), 0.06
REGIONS = {"North": 0.35, "South": 0.25, "East": 0.22, "West": 0.18}
# Exponent on the seasonal index: the South's summer is hotter, the North's winter colder.
REGION_SEASON = {("South", "Cooling"): 1.3, ("North", "Cooling"): 0.8,
                 ("North", "Heating"): 1.15, ("South", "Heating"): 0.8, ("West", "Garden"): 1.1}
LAUNCH = {"HT-211": "2025-01-01", "GD-411": "2026-03-01"}
SUCCESSOR = {"HT-211": "HT-210"}                           # takes over its volume
PHASE_OUT = {"HT-210": "2025-06-01", "KT-316": "2027-03-01"}
INTERMITTENT = ("CL-114", "HT-212", "KT-318", "GD-412")     # spare parts, premium items
GAP = ("KT-302", "East", pd.DatetimeIndex(["2024-05-01", "2024-06-01"]))
HOLIDAYS = ("01-01", "05-01", "12-25", "12-26")               # fixed-date public holidays
EASTER_MONDAYS = ("2027-03-29", "2028-04-17")                 # moving holidays in the horizon
REALISATION = 0.95                                            # net / list price, on average
OVERHEAD = 0.03                                               # plant overhead, share of revenue
LABOUR_ABSORPTION = 0.8     # budget's standard labour rate = wage / 0.8 (idle time absorbed)


@dataclass(frozen=True)
class Family:
    """A product family: its season, trends, size and catalogue."""

    name: str
    code: str                                # SKU prefix
    season: tuple[float, ...]                # demand index Jan..Dec (normalised later)
    growth: float                            # real demand trend per year
    budget_growth: float                     # growth finance assumed in the budget
    volume: float                            # units/month today, before the season
    safety_months: float
    event: tuple[int, float, float, str]     # yearly promotion: month, uplift %, discount %
    products: tuple[tuple[str, float], ...]  # (name, current list price)


FAMILIES = (
    Family("Cooling", "CL", (.6, .65, .8, .95, 1.15, 1.4, 1.6, 1.3, .95, .75, .6, .6),
           .05, 1.05, 6000, 1.0, (6, 20.0, 10.0, "Summer cool deals"), (
               ("Desk Fan 25cm", 29.99), ("Tower Fan 40W", 59.99), ("Pedestal Fan 45W", 49.99),
               ("Tower Fan Remote 45W", 79.99), ("Wall Fan 40cm", 44.99),
               ("Floor Fan 45cm", 54.99), ("Air Cooler 7L", 129.99), ("Air Cooler 12L", 169.99),
               ("Evaporative Cooler 20L", 219.99), ("Bladeless Fan 35W", 149.99),
               ("Ceiling Fan 132cm", 119.99), ("Portable Air Conditioner 9000 BTU", 389.0),
               ("Clip Fan 15cm", 25.99), ("Industrial Drum Fan 150W", 249.99))),
    Family("Heating", "HT", (2.0, 1.6, 1.0, .5, .3, .2, .2, .3, .6, 1.2, 1.8, 2.3),
           -.03, .97, 4500, 1.0, (10, 20.0, 10.0, "Early winter warm-up"), (
               ("Fan Heater 2kW", 34.99), ("Oil Radiator 2kW", 89.99),
               ("Ceramic Heater 1.5kW", 69.99), ("Convector Heater 2kW", 79.99),
               ("Infrared Panel 600W", 249.99), ("Halogen Heater 1.2kW", 39.99),
               ("Oil Radiator 2.5kW", 109.99), ("Bathroom Heater IPX4", 59.99),
               ("Wall Panel Heater 1kW", 129.99), ("Convector Heater 1.5kW Classic", 64.99),
               ("Smart Convector Heater 1.5kW", 84.99), ("Thermostat Spare Kit", 29.99))),
    Family("Kitchen", "KT", (.85, .85, .9, .9, .95, .9, .85, .9, 1.0, 1.05, 1.35, 1.6),
           .01, 1.15, 6500, .5, (11, 35.0, 20.0, "Black Friday week"), (
               ("Electric Kettle 1.7L", 39.99), ("Toaster 2-Slice", 34.99),
               ("Toaster 4-Slice", 54.99), ("Blender 1.5L", 79.99),
               ("Espresso Coffee Machine", 299.99), ("Filter Coffee Maker", 49.99),
               ("Air Fryer 4L", 99.99), ("Hand Mixer 300W", 29.99), ("Stand Mixer 1000W", 349.99),
               ("Juicer 800W", 89.99), ("Sandwich Maker", 32.99), ("Rice Cooker 1.8L", 59.99),
               ("Food Processor 800W", 119.99), ("Milk Frother", 39.99),
               ("Slow Cooker 6L", 69.99), ("Bread Maker Classic", 129.99),
               ("Waffle Maker", 44.99), ("Blender Jug Spare 1.5L", 25.99))),
    Family("Garden", "GD", (.3, .45, 1.0, 1.9, 2.1, 1.7, 1.3, .9, .8, .6, .4, .35),
           .12, 1.02, 3800, .75, (4, 30.0, 15.0, "Spring garden days"), (
               ("Cordless Grass Trimmer 18V", 69.99), ("Hedge Trimmer 500W", 89.99),
               ("Leaf Blower 2500W", 119.99), ("Electric Lawn Mower 33cm", 149.99),
               ("Cordless Lawn Mower 37cm", 299.99), ("Pressure Washer 130bar", 199.99),
               ("Electric Chainsaw 2000W", 179.99), ("Garden Shredder 2500W", 229.99),
               ("Pole Pruner 18V", 129.99), ("Lawn Scarifier 1500W", 159.99),
               ("Cordless Hedge Trimmer 36V", 139.99), ("Robotic Mower Pro 1200", 399.0))),
)
FAMILY = {f.name: f for f in FAMILIES}

# Lines: resource, plant, name, shifts, efficiency, regular cost/hour. The shared lines
# (paint, packing) and the busy Kitchen line run three shifts, the others two.
LINES = (("RS-ASM1", "Riverside", "Cooling assembly", 2, .85, 42.0),
         ("RS-ASM2", "Riverside", "Heating assembly", 2, .85, 40.0),
         ("RS-PNT", "Riverside", "Paint & finish", 3, .80, 45.0),
         ("HC-ASM1", "Hillcrest", "Kitchen assembly", 3, .88, 38.0),
         ("HC-ASM2", "Hillcrest", "Garden assembly", 2, .85, 36.0),
         ("HC-PCK", "Hillcrest", "Packing", 3, .90, 30.0))
# Labour pools: resource, plant, name, regular cost/hour, workers.
# Sized so the pools run ~65 % on average and ~85-90 % in their peak month: a demand
# upside or the P90 needs overtime or hires.
LABOUR = (("RS-LAB", "Riverside", "Assembly workforce", 34.0, 28.0),
          ("HC-LAB", "Hillcrest", "Assembly workforce", 32.0, 28.0))
HOURS_PER_WORKER, OVERTIME_SHARE = 140.0, 0.16
# Hours per unit: family routings, then SKU overrides for slower premium products.
# Calibrated against the same-month-last-year x trend estimate: RS-ASM1 at .032 runs
# ~17% over its regular hours in Jun-Jul 2027 and ~71% on average; every other resource
# peaks below ~80%.
ROUTING = {"Cooling": (("RS-ASM1", .032), ("RS-PNT", .02), ("RS-LAB", .25)),
           "Heating": (("RS-ASM2", .025), ("RS-PNT", .02), ("RS-LAB", .25)),
           "Kitchen": (("HC-ASM1", .025), ("HC-PCK", .02), ("HC-LAB", .2)),
           "Garden": (("HC-ASM2", .022), ("HC-PCK", .02), ("HC-LAB", .25))}
OVERRIDES = (("CL-112", "RS-ASM1", .08), ("CL-112", "RS-LAB", .3),
             ("KT-309", "HC-ASM1", .06), ("GD-412", "HC-ASM2", .12), ("GD-412", "HC-LAB", .3))
SHUTDOWN = ("HC-ASM2", pd.Timestamp("2027-08-01"), 10)   # 2-week summer stop: 10 days less


def _frame(table: str, data: pd.DataFrame | list[dict]) -> pd.DataFrame:
    """`data` as a frame of `table`: schema column order and dtypes, optional ones as NaN."""
    dtypes = {schema.STR: "string", schema.INT: "float64", schema.FLOAT: "float64",
              schema.DATE: "datetime64[ns]", schema.BOOL: "boolean"}
    df = pd.DataFrame(data)
    cols = schema.TABLES[table].columns
    return pd.DataFrame({c.name: (df[c.name] if c.name in df else pd.Series([None] * len(df)))
                         .astype(dtypes[c.dtype]) for c in cols})


def _months_between(a: pd.Timestamp, b: pd.DatetimeIndex | pd.Timestamp) -> np.ndarray:
    """Whole months from `a` to each of `b`."""
    return np.asarray((b.year - a.year) * 12 + (b.month - a.month))


def _season(family: Family, region: str) -> np.ndarray:
    """Jan..Dec demand index of a family in a region, mean 1."""
    s = np.asarray(family.season) ** REGION_SEASON.get((region, family.name), 1.0)
    return s / s.mean()


def _products(rng: np.random.Generator) -> pd.DataFrame:
    """The catalogue with codes CL-101.., HT-201.., material cost 40-55% of price."""
    rows: list[dict] = []
    for i, fam in enumerate(FAMILIES):
        for j, (name, price) in enumerate(fam.products):
            sku = f"{fam.code}-{100 * (i + 1) + j + 1}"
            rows.append({schema.SKU: sku, schema.NAME: name, schema.FAMILY: fam.name, schema.UOM: "each",
                         schema.LIST_PRICE: price,
                         schema.MATERIAL_COST: round(price * rng.uniform(.40, .55), 2),
                         schema.LAUNCH_MONTH: LAUNCH.get(sku), schema.PHASE_OUT_MONTH: PHASE_OUT.get(sku)})
    return _frame(schema.PRODUCTS, rows)


def _promotions(products: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Yearly family events (past and planned) plus random SKU promotions."""
    rows: list[dict] = []
    for fam in FAMILIES:
        month, uplift, discount, text = fam.event
        for m in HISTORY.append(PROMO_AHEAD):
            if m.month == month:
                rows.append({schema.FAMILY: fam.name, schema.START_MONTH: m, schema.END_MONTH: m,
                             schema.UPLIFT_PCT: uplift + float(rng.integers(-5, 6)),
                             schema.DISCOUNT_PCT: discount, schema.DESCRIPTION: f"{text} {m.year}"})
    # SKU promotions only on established SKUs: launches and phase-outs are not promoted.
    plain = products.loc[products[schema.LAUNCH_MONTH].isna() & products[schema.PHASE_OUT_MONTH].isna()
                         & ~products[schema.SKU].isin(INTERMITTENT), schema.SKU].to_list()
    for months, n in ((HISTORY[2:-1], 10), (PROMO_AHEAD[1:-1], 3)):
        for _ in range(n):
            start = months[rng.integers(len(months))]
            region = rng.choice([None, *REGIONS])
            rows.append({schema.SKU: rng.choice(plain), schema.REGION: region, schema.START_MONTH: start,
                         schema.END_MONTH: start + pd.DateOffset(months=int(rng.integers(2))),
                         schema.UPLIFT_PCT: float(rng.choice([40, 50, 60])),
                         schema.DISCOUNT_PCT: float(rng.choice([15, 20, 25])),
                         schema.DESCRIPTION: f"Retailer feature{f' ({region})' if region else ''}"})
    for fam in FAMILIES:       # no random jitter: keeps the generator's stream as it was
        month, uplift, discount, text = fam.event
        rows += [{schema.FAMILY: fam.name, schema.START_MONTH: m, schema.END_MONTH: m,
                  schema.UPLIFT_PCT: float(uplift), schema.DISCOUNT_PCT: discount,
                  schema.DESCRIPTION: f"{text} {m.year}"} for m in EVENTS_LATER if m.month == month]
    rows.sort(key=lambda r: (r[schema.START_MONTH], r.get(schema.FAMILY) or "", r.get(schema.SKU) or ""))
    for k, r in enumerate(rows, 1):
        r[schema.PROMO_ID] = f"PR-{k:03d}"
    return _frame(schema.PROMOTIONS, rows)


def _promo_effect(products: pd.DataFrame, promos: pd.DataFrame, rng: np.random.Generator
                  ) -> dict[tuple[str, str, pd.Timestamp], tuple[float, float]]:
    """(sku, region, month) -> (demand multiplier, discount) of past promotions.

    The realised uplift varies around the planned one, as it does in real life."""
    fam_skus = products.groupby(schema.FAMILY)[schema.SKU].agg(list)
    effect: dict[tuple[str, str, pd.Timestamp], tuple[float, float]] = {}
    for p in promos[promos[schema.START_MONTH] <= AS_OF].itertuples(index=False):
        lift = 1 + getattr(p, schema.UPLIFT_PCT) / 100 * rng.uniform(.7, 1.2)
        disc = getattr(p, schema.DISCOUNT_PCT) / 100
        sku, fam, region = getattr(p, schema.SKU), getattr(p, schema.FAMILY), getattr(p, schema.REGION)
        skus = fam_skus[fam] if pd.notna(fam) else [sku]
        regions = [region] if pd.notna(region) else list(REGIONS)
        for m in pd.date_range(getattr(p, schema.START_MONTH), getattr(p, schema.END_MONTH), freq="MS"):
            for s in skus:
                for r in regions:
                    old = effect.get((s, r, m), (1.0, 0.0))
                    effect[(s, r, m)] = (old[0] * lift, max(old[1], disc))
    return effect


def _lifecycle(months: pd.DatetimeIndex, launch: pd.Timestamp, phase_out: pd.Timestamp
               ) -> np.ndarray:
    """Demand multiplier: ramp-up over 5 months after launch, decline in the last year."""
    mult = np.ones(len(months))
    if pd.notna(launch):
        mult *= np.clip((_months_between(launch, months) + 1) / 5, 0, 1)
    if pd.notna(phase_out):
        left = _months_between(months, phase_out)      # months until the phase-out
        mult *= np.clip(1 - .65 * (12 - left) / 12, .35, 1)
    return mult


def _sales(products: pd.DataFrame, promos: pd.DataFrame, rng: np.random.Generator
           ) -> pd.DataFrame:
    """Monthly units and net revenue by SKU and region, 2022-11..2026-10."""
    effect = _promo_effect(products, promos, rng)
    # Family volume is split over SKUs, cheaper ones selling more; fixing the family total
    # keeps the designed capacity and budget properties whatever the seed.
    regular = products[~products[schema.SKU].isin(INTERMITTENT)]
    weight = regular[schema.LIST_PRICE] ** -.6 * rng.lognormal(0, .35, len(regular))
    base = weight / weight.groupby(regular[schema.FAMILY]).transform("sum") * \
        regular[schema.FAMILY].map(lambda f: FAMILY[f].volume)
    base = dict(zip(regular[schema.SKU], base))
    base |= {new: base[old] for new, old in SUCCESSOR.items()}
    t = _months_between(AS_OF, HISTORY) / 12                     # years from today
    price_factor = np.where(HISTORY < PRICE_RISE_MONTH, 1 / (1 + PRICE_RISE), 1.0)
    parts: list[pd.DataFrame] = []
    for p in products.itertuples(index=False):
        sku, fam = getattr(p, schema.SKU), FAMILY[getattr(p, schema.FAMILY)]
        launch, phase_out = getattr(p, schema.LAUNCH_MONTH), getattr(p, schema.PHASE_OUT_MONTH)
        keep = np.ones(len(HISTORY), bool)     # rows only while the SKU is on sale
        if pd.notna(launch):
            keep &= HISTORY >= launch
        if pd.notna(phase_out):
            keep &= HISTORY <= phase_out
        life = _lifecycle(HISTORY, launch, phase_out)
        for region, share in REGIONS.items():
            lift, disc = np.array([effect.get((sku, region, m), (1.0, 0.0)) for m in HISTORY]).T
            if sku in INTERMITTENT:   # an occasional small order, zero most months
                units = (rng.random(len(HISTORY)) < .08) * (1 + rng.poisson(2, len(HISTORY)))
            else:
                level = base[sku] * share * _season(fam, region)[HISTORY.month - 1] \
                    * (1 + fam.growth) ** t * life * lift
                units = np.round(level * rng.lognormal(0, .12, len(HISTORY)))
            revenue = units * getattr(p, schema.LIST_PRICE) * price_factor * (1 - disc) \
                * rng.uniform(.92, .98, len(HISTORY))
            mask = keep & ~(HISTORY.isin(GAP[2]) & ((sku, region) == GAP[:2]))
            parts.append(pd.DataFrame({schema.MONTH: HISTORY[mask], schema.SKU: sku, schema.REGION: region,
                                       schema.UNITS: units[mask].astype(float),
                                       schema.REVENUE: np.round(revenue[mask], 2)}))
    sales = pd.concat(parts).sort_values([schema.MONTH, schema.SKU, schema.REGION], ignore_index=True)
    return _frame(schema.SALES, sales)


def _working_days(month: pd.Timestamp) -> int:
    """Weekdays in the month minus public holidays falling on a weekday."""
    end = month + pd.offsets.MonthBegin(1)
    hol = [f"{month.year}-{d}" for d in HOLIDAYS] + list(EASTER_MONDAYS)
    return int(np.busday_count(month.date(), end.date(), holidays=hol))


def _supply() -> dict[str, pd.DataFrame]:
    """Resources, capacity calendar, workforce and bill of resources."""
    res = [{schema.RESOURCE: r, schema.PLANT: plant, schema.NAME: name, schema.KIND: schema.KIND_LINE,
            schema.REGULAR_COST_PER_HOUR: cost, schema.OVERTIME_COST_PER_HOUR: cost * 1.5,
            schema.MAX_OVERTIME_HOURS: round(OVERTIME_SHARE * 21 * shifts * 8)}
           for r, plant, name, shifts, _, cost in LINES]
    res += [{schema.RESOURCE: r, schema.PLANT: plant, schema.NAME: name, schema.KIND: schema.KIND_LABOUR,
             schema.REGULAR_COST_PER_HOUR: cost, schema.OVERTIME_COST_PER_HOUR: cost * 1.5,
             schema.MAX_OVERTIME_HOURS: 0.0} for r, plant, name, cost, _ in LABOUR]
    cap = []
    for r, _, _, shifts, eff, _ in LINES:
        for m in HORIZON:
            days = _working_days(m) - (SHUTDOWN[2] if (r, m) == SHUTDOWN[:2] else 0)
            cap.append({schema.RESOURCE: r, schema.MONTH: m, schema.WORKING_DAYS: days, schema.SHIFTS: shifts,
                        schema.HOURS_PER_SHIFT: 8.0, schema.EFFICIENCY: eff})
    wf = [{schema.RESOURCE: r, schema.WORKERS: n, schema.HOURS_PER_WORKER: HOURS_PER_WORKER,
           schema.MAX_OVERTIME_PER_WORKER: 20.0, schema.HIRING_COST: 4000.0, schema.LAYOFF_COST: 6000.0,
           schema.MAX_HIRES_PER_MONTH: 5.0} for r, _, _, _, n in LABOUR]
    bor = [{schema.FAMILY: fam, schema.RESOURCE: r, schema.HOURS_PER_UNIT: h}
           for fam, route in ROUTING.items() for r, h in route]
    bor += [{schema.SKU: sku, schema.RESOURCE: r, schema.HOURS_PER_UNIT: h} for sku, r, h in OVERRIDES]
    return {schema.RESOURCES: _frame(schema.RESOURCES, res), schema.CAPACITY: _frame(schema.CAPACITY, cap),
            schema.WORKFORCE: _frame(schema.WORKFORCE, wf),
            schema.BILL_OF_RESOURCES: _frame(schema.BILL_OF_RESOURCES, bor)}


def _family_costs(products: pd.DataFrame, sales: pd.DataFrame) -> pd.DataFrame:
    """Per family, unit-weighted over the last 12 months: price, material, conversion cost.

    Conversion = family routing hours x regular hourly cost (labour and line time);
    the budget's standard conversion charges labour hours at wage / `LABOUR_ABSORPTION`,
    as finance absorbs the wages of a workforce that is not busy every hour."""
    last = sales[sales[schema.MONTH] > AS_OF - pd.DateOffset(months=12)]
    units = last.groupby(schema.SKU)[schema.UNITS].sum()
    p = products.set_index(schema.SKU).assign(w=units).fillna({"w": 0.0})
    cost = {r[0]: r[-1] for r in LINES} | {r[0]: r[3] for r in LABOUR}
    conv = {f: sum(h * cost[r] for r, h in route) for f, route in ROUTING.items()}
    labour = {r[0] for r in LABOUR}
    std = {f: sum(h * cost[r] / (LABOUR_ABSORPTION if r in labour else 1.0) for r, h in route)
           for f, route in ROUTING.items()}
    g = p.groupby(schema.FAMILY)
    return pd.DataFrame({
        "price": g.apply(lambda d: np.average(d[schema.LIST_PRICE], weights=d["w"])),
        "material": g.apply(lambda d: np.average(d[schema.MATERIAL_COST], weights=d["w"])),
        "conversion": pd.Series(conv), "standard_conversion": pd.Series(std)})


def _family_months(products: pd.DataFrame, sales: pd.DataFrame) -> pd.Series:
    """Actual units by family and month."""
    fam = sales[schema.SKU].map(dict(zip(products[schema.SKU], products[schema.FAMILY])))
    return sales.groupby([fam.rename(schema.FAMILY), sales[schema.MONTH]])[schema.UNITS].sum()


def _budget(fam_months: pd.Series, costs: pd.DataFrame) -> pd.DataFrame:
    """Budget = same month of the last actual year x the growth finance assumed.

    Revenue at today's average price and realisation; margin after material, the
    standard conversion (labour and line) cost and an overhead allowance."""
    rows: list[dict] = []
    for fam in FAMILIES:
        c = costs.loc[fam.name]
        for m in BUDGET_MONTHS:
            years = 1 + int(m > AS_OF + pd.DateOffset(years=1))   # back to an actual month
            units = round(fam_months[(fam.name, m - pd.DateOffset(years=years))]
                          * fam.budget_growth ** years)
            revenue = units * c["price"] * REALISATION
            rows.append({schema.FAMILY: fam.name, schema.MONTH: m, schema.UNITS: units,
                         schema.REVENUE: round(revenue),
                         schema.MARGIN: round(revenue * (1 - OVERHEAD)
                                           - units * (c["material"]
                                                      + c["standard_conversion"]))})
    return _frame(schema.BUDGET, rows)


def _supply_options(fam_months: pd.Series, costs: pd.DataFrame) -> pd.DataFrame:
    """Subcontracting for Cooling and Garden, a motor-supplier cap for Cooling.

    Subcontracted units cost ~1.3x making them (material + conversion); the
    subcontractor takes ~18% of the coming peak month; the motor cap sits between the
    average and the peak month, so it bites only when the line runs flat out."""
    rows: list[dict] = []
    for name, code in (("Cooling", "CL"), ("Garden", "GD")):
        last = fam_months[name][-12:] * (1 + FAMILY[name].growth)
        c = costs.loc[name]
        rows.append({schema.OPTION: f"SUB-{code}", schema.OPTION_TYPE: schema.OPTION_SUBCONTRACT,
                     schema.FAMILY: name,
                     schema.COST_PER_UNIT: round(1.3 * (c["material"] + c["conversion"]), 2),
                     schema.MONTHLY_CAP_UNITS: round(.18 * last.max(), -2)})
        if name == "Cooling":
            rows.append({schema.OPTION: "CAP-CL-MOTOR", schema.OPTION_TYPE: schema.OPTION_MATERIAL_CAP,
                         schema.FAMILY: name, schema.MONTHLY_CAP_UNITS: round(.95 * last.max(), -2)})
    return _frame(schema.SUPPLY_OPTIONS, rows)


def _inventory(products: pd.DataFrame, sales: pd.DataFrame, rng: np.random.Generator
               ) -> pd.DataFrame:
    """On hand = 0.8-1.5 months of the last 3 months' demand (0 once phased out)."""
    recent = sales[sales[schema.MONTH] > AS_OF - pd.DateOffset(months=3)]
    avg = recent.groupby([schema.SKU, schema.MONTH])[schema.UNITS].sum().groupby(schema.SKU).mean()
    rows: list[dict] = []
    for p in products.itertuples(index=False):
        sku, fam = getattr(p, schema.SKU), FAMILY[getattr(p, schema.FAMILY)]
        gone = pd.notna(getattr(p, schema.PHASE_OUT_MONTH)) and getattr(p, schema.PHASE_OUT_MONTH) <= AS_OF
        rows.append({schema.SKU: sku,
                     schema.ON_HAND_UNITS: 0.0 if gone else float(round(avg.get(sku, 0.0)
                                                                  * rng.uniform(.8, 1.5))),
                     schema.SAFETY_STOCK_MONTHS: 0.0 if gone else fam.safety_months,
                     schema.HOLDING_COST_PCT: float(rng.choice([20, 22, 25]))})
    return _frame(schema.INVENTORY, rows)


def build_demo(seed: int = 7) -> dict[str, pd.DataFrame]:
    """Every demo table (all of `schema.TABLES` but consensus), keyed by table name.

    Pure and deterministic: the same seed gives equal frames."""
    rng = np.random.default_rng(seed)
    products = _products(rng)
    promos = _promotions(products, rng)
    sales = _sales(products, promos, rng)
    supply = _supply()
    fam_months = _family_months(products, sales)
    costs = _family_costs(products, sales)
    company = _frame(schema.COMPANY, [{schema.COMPANY_NAME: COMPANY_NAME, schema.CURRENCY: CURRENCY,
                                  schema.AS_OF_MONTH: AS_OF}])
    tables = {schema.COMPANY: company, schema.PRODUCTS: products, schema.SALES: sales,
              schema.PROMOTIONS: promos, **supply,
              schema.SUPPLY_OPTIONS: _supply_options(fam_months, costs),
              schema.INVENTORY: _inventory(products, sales, rng),
              schema.BUDGET: _budget(fam_months, costs)}
    return {name: tables[name] for name in schema.TABLES if name in tables}


def write_demo(out_dir: str | Path, seed: int = 7) -> dict[str, Path]:
    """Write every demo table to `<out_dir>/<table>.parquet`; returns the paths.

    No index and no timestamps in the file, so a seed always gives the same bytes."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, df in build_demo(seed).items():
        paths[name] = out / f"{name}.parquet"
        df.to_parquet(paths[name], engine="pyarrow", index=False, compression="zstd")
    return paths
