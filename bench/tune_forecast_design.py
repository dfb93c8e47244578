"""Tuning of the engine's selection rule and bands, on the DESIGN sets only.

Design sets: tourism_comp_monthly (its official 24-month test; 12 months: the first
12 of it) and aus_retail_monthly (the last 12 / 24 months). Never run this on the
validation sets (pbs_monthly, ansett_weekly, prophet_example_retail_sales): their
figures are reported by bench/bench_forecast_accuracy.py and must not steer a choice.

For every series and hold-out it computes once, in worker processes, each
candidate's cross-validation forecasts inside the training part (4 origins 6 months
apart, 12 months ahead, fitted at the first origin and applied at the later ones, as
the engine does) and each candidate's hold-out forecast; then it scores variants of
the rule offline: CV origins (2-4) and horizon (6, 12), ensemble size k, margin,
candidate subsets, and the band's growth exponent, and prints mean MASE and the
80% band's coverage per variant.

Ranges: for each candidate it also records its own 80% interval on the hold-out
(bench/own_intervals.py: statsforecast's `level=[80]`, the seasonal naive's own,
Prophet's own sampling; the ensemble's is the mean of its members' bounds, a
heuristic), and prints, for the engine's actual pick per series (its default
candidates, 3 origins, k 3, margin 0.2), the hold-out coverage, the mean and median
width (P90 - P10) / MASE scale and the interval score (width + 10 x the miss outside
the band, / MASE scale; lower is better) of the conformal band as `sop.demand.bands`
computes it against the models' own intervals (the conformal band where the pick has
none). Run:
.venv/bin/python bench/tune_forecast_design.py [tourism|aus_retail] [12|24] [--workers N]
(`--help` for the options).
"""

from __future__ import annotations

import argparse
import functools
import itertools
import multiprocessing as mp
import pickle
import sys
import tempfile
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import own_intervals  # noqa: E402
import realdata  # noqa: E402

from sop.demand import bands, metrics, selection
from sop.demand.series import build_jobs

CANDS = ("auto_ets", "auto_theta", "seasonal naive", "prophet_mult", "prophet", "theta", "airline")
CFG = selection.Config(CANDS, origins=4, bt_horizon=12, step=6)
CACHE = Path(tempfile.gettempdir()) / "sop-tune-forecast"  # per-series fits, reused across runs


def one(job: selection.Job, cfg: selection.Config = CFG, with_own: bool = True) -> dict:
    """CV pairs, hold-out forecasts and own intervals of every candidate for one job."""
    warnings.simplefilter("ignore")
    np.seterr(all="ignore")
    y_all = np.asarray(job.y, dtype=float)
    obs = np.flatnonzero(~np.isnan(y_all))
    kind = selection.classify(y_all)
    y_raw = y_all[obs[0] : obs[-1] + 1]
    y = selection._fill(y_raw)
    cands = selection._candidates(kind, cfg)
    errors = selection._backtest(job, cfg, kind, cands, y, y_raw, obs[0], False)
    final, own = {}, {}
    first = np.datetime64(job.first_month, "M") + obs[0]
    for m in cands:
        fc, _ = selection._predict(m, y, y_raw, job.horizon, job, obs[0], False, {})
        final[m] = np.maximum(fc, 0)
        band = own_intervals.own(m, y, y_raw, job.horizon, first, fc) if with_own else None
        if band is not None:
            own[m] = band
    mean = float(np.mean(np.abs(y)))
    return {"kind": kind, "errors": errors, "final": final, "own": own, "mean": mean}


def compute(
    name: str, h: int, workers: int = 2, engine_only: bool = False, with_own: bool = True
) -> list[dict]:
    """Per series of the design set `name` at hold-out h: `one`'s record, the hold-out
    actuals and the MASE scale (cached in CACHE). `engine_only`: the engine's default
    candidates and CV (CANDS[:4], 3 origins: fitted at the first of those 3, as the
    engine), enough for `ranges`, not for the other variants. `with_own` False: no own
    intervals (the ranges comparison then shows the conformal band only)."""
    cfg = replace(CFG, candidates=CANDS[:4], origins=3) if engine_only else CFG
    tag = ("_engine" if engine_only else "") + ("" if with_own else "_noown")
    path = CACHE / f"tune_{name}_{h}_own{tag}.pkl"  # older caches (no "own") are not reused
    if path.exists():
        return pickle.loads(path.read_bytes())
    tables = realdata.tourism() if name == "tourism" else realdata.aus_retail()
    sales = tables["sales"]
    prep = build_jobs(tables, "sku_region", sales["month"].max(), h, False)
    if name == "tourism" and h == 12:  # the official test is 24 months: drop its last 12
        prep.jobs = [replace(j, y=j.y[:-12]) for j in prep.jobs]
    train, actual = [], []
    for j in prep.jobs:  # the last h observed months held out; no family profile (no leak)
        obs = np.flatnonzero(~np.isnan(j.y))
        if len(obs) <= h + 12:
            continue
        cut = obs[-1] + 1 - h
        train.append(selection.Job(j.key, j.y[:cut], j.first_month, h))
        actual.append(j.y[cut : obs[-1] + 1])
    if workers <= 1:
        outs = [one(j, cfg, with_own) for j in tqdm(train, desc=name)]
    else:
        work = functools.partial(one, cfg=cfg, with_own=with_own)
        with mp.get_context("fork").Pool(workers) as pool:
            outs = list(tqdm(pool.imap(work, train, chunksize=1), total=len(train), desc=name))
    for o, j, a in zip(outs, train, actual):
        o["actual"] = a
        o["scale"] = metrics.mase_scale(j.y[~np.isnan(j.y)])
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(outs))
    return outs


def pick(o, cands, origins, cv_h, k, margin):
    """(method, members used, its CV pairs or None, P50) of the rule's pick for one
    series, as `selection._pick` makes it."""
    cs = [c for c in o["errors"] if c in cands or o["kind"] != "ok"]
    errs = {c: [(a[:cv_h], f[:cv_h]) for a, f in o["errors"][c][-origins:]] for c in cs}
    bt, score = selection._scores(errs, o["kind"], o["scale"])
    ranked = sorted(score, key=lambda m: score[m])
    members = tuple(ranked[:k]) if len(ranked) > 1 and k > 1 else ()
    ens = None
    if members:
        errs["ensemble"] = selection.ensemble_pairs(errs, members)
        ens = selection._scores({"ensemble": errs["ensemble"]}, o["kind"], 1.0)[1].get("ensemble")
    m = selection.choose(score, ens, margin) or "seasonal naive"
    use = members if m == "ensemble" else (m,)
    fc = np.mean([o["final"][u] for u in use], axis=0)
    pairs = errs.get(m) if m in score or m == "ensemble" else None
    return m, use, pairs, fc


def variant(outs, cands, origins, cv_h, k, margin, growth=None):
    """(mean MASE, coverage) of one variant of the rule over the series."""
    mases, inside, total = [], 0, 0
    for o in outs:
        m, use, pairs, fc = pick(o, cands, origins, cv_h, k, margin)
        a = o["actual"]
        if o["scale"] > 0:
            mases.append(np.nanmean(np.abs(fc - a)) / o["scale"])
        old = bands.MAX_GROWTH, bands.DEFAULT_GROWTH
        if growth is not None:
            bands.MAX_GROWTH = growth
        sig = bands.sigma(fc, pairs, np.zeros(0), o["mean"], 0)
        bands.MAX_GROWTH, bands.DEFAULT_GROWTH = old
        if growth is not None and pairs:
            err = bands.error_matrix(pairs)
            s = np.arange(1, err.shape[1] + 1)
            q = bands.conformal_quantile((np.abs(err) / s**growth).ravel())
            sig = q * np.arange(1, len(fc) + 1) ** growth / bands.Z90
        lo, hi = np.maximum(fc - bands.Z90 * sig, 0), fc + bands.Z90 * sig
        ok = ~np.isnan(a)
        inside += int(np.sum((a[ok] >= lo[ok]) & (a[ok] <= hi[ok])))
        total += int(ok.sum())
    return float(np.mean(mases)), inside / max(total, 1)


def _range_stats(rows) -> str:
    """coverage, mean / median scaled width, mean scaled interval score of (a, lo, hi,
    scale) rows (one per series)."""
    inside = total = 0
    widths, scores = [], []
    alpha = 1 - bands.COVERAGE
    for a, lo, hi, scale in rows:
        ok = ~np.isnan(a)
        a, lo, hi = a[ok], lo[ok], hi[ok]
        inside += int(np.sum((a >= lo) & (a <= hi)))
        total += len(a)
        if scale > 0 and len(a):
            miss = np.maximum(lo - a, 0) + np.maximum(a - hi, 0)
            widths.append(np.mean(hi - lo) / scale)
            scores.append(np.mean(hi - lo + 2 / alpha * miss) / scale)
    return (
        f"coverage {inside / max(total, 1):6.1%}  width/scale mean {np.mean(widths):6.2f} "
        f"median {np.median(widths):5.2f}  interval score {np.mean(scores):6.2f}"
    )


def ranges(outs, cands=CANDS[:4], origins=3, cv_h=12, k=3, margin=0.2) -> None:
    """Print the conformal band against the models' own intervals (module docstring)."""
    conf, own, conf_sub, own_sub = [], [], [], []
    picks: dict[str, list[int]] = {}
    for o in outs:
        m, use, pairs, fc = pick(o, cands, origins, cv_h, k, margin)
        sig = bands.sigma(fc, pairs, np.zeros(0), o["mean"], 0)
        c = (o["actual"], np.maximum(fc - bands.Z90 * sig, 0), fc + bands.Z90 * sig, o["scale"])
        conf.append(c)
        has = all(u in o["own"] for u in use)
        if has:  # the ensemble's: the mean of its members' bounds (a heuristic)
            lo = np.maximum(np.mean([o["own"][u][0] for u in use], axis=0), 0)
            hi = np.maximum(np.mean([o["own"][u][1] for u in use], axis=0), 0)
            w = (o["actual"], lo, hi, o["scale"])
            own.append(w)
            conf_sub.append(c)
            own_sub.append(w)
        else:
            own.append(c)
        picks.setdefault(m if m in ("ensemble", *CANDS) else "other", [0, 0])[has] += 1
    print(f"  ranges, engine's pick ({'+'.join(cands)}, {origins} origins, k {k}, margin {margin})")
    print(f"    picks (without / with an own interval): {picks}")
    print(f"    conformal band (bands.py)        {_range_stats(conf)}")
    print(f"    own intervals (conformal if none){_range_stats(own)}")
    print(f"    on the {len(own_sub)} series whose pick has its own interval:")
    print(f"      conformal                      {_range_stats(conf_sub)}")
    print(f"      own                            {_range_stats(own_sub)}")
    print("    each candidate as if picked for every regular series (its own forecast):")
    for c in cands:
        rows = [o for o in outs if c in o["own"] and o["errors"].get(c)]
        cf = [
            (o["actual"], np.maximum(f - bands.Z90 * sg, 0), f + bands.Z90 * sg, o["scale"])
            for o in rows
            for f in [o["final"][c]]
            for sg in [bands.sigma(f, o["errors"][c][-origins:], np.zeros(0), o["mean"], 0)]
        ]
        ow = [(o["actual"], *(np.maximum(b, 0) for b in o["own"][c]), o["scale"]) for o in rows]
        print(f"      {c:15s} conformal {_range_stats(cf)}")
        print(f"      {'':15s} own       {_range_stats(ow)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("args", nargs="*", help="design sets (tourism, aus_retail) and horizons")
    ap.add_argument("--workers", type=int, default=2, help="worker processes (1: in process)")
    ap.add_argument("--ranges-only", action="store_true", help="only the ranges comparison")
    ap.add_argument(
        "--engine-cands",
        action="store_true",
        help="compute the engine's default candidates only (faster; implies --ranges-only)",
    )
    ap.add_argument(
        "--no-own", action="store_true", help="skip the models' own intervals (much faster)"
    )
    opt = ap.parse_args()
    bad = [a for a in opt.args if not a.isdigit() and a not in ("tourism", "aus_retail")]
    if bad:
        ap.error(f"not a design set: {bad} (validation sets are never tuned on)")
    sets = [a for a in opt.args if not a.isdigit()] or ["tourism", "aus_retail"]
    hs = [int(a) for a in opt.args if a.isdigit()] or [12, 24]
    for name, h in itertools.product(sets, hs):
        outs = compute(name, h, opt.workers, opt.engine_cands, not opt.no_own)
        print(f"\n== DESIGN {name} h={h}: {len(outs)} series")
        ranges(outs)
        if opt.ranges_only or opt.engine_cands:
            continue
        for c in CANDS:
            print(f"  single {c:15s} MASE {variant(outs, (c,), 3, 12, 1, 0.0)[0]:.3f}")
        base = CANDS[:4]
        for origins, cv_h in ((2, 12), (3, 12), (4, 12), (3, 6), (4, 6)):
            for k in (1, 2, 3, 4):
                for margin in (0.0, 0.2, 1.0) if k > 1 else (0.0,):
                    ms, cov = variant(outs, base, origins, cv_h, k, margin)
                    print(
                        f"  origins {origins} cv_h {cv_h:2d} k {k} margin {margin:.1f}: "
                        f"MASE {ms:.3f} coverage {cov:.1%}"
                    )
        for cands in (
            CANDS[:5],
            CANDS[:6],
            (*base, "airline"),
            ("auto_ets", "auto_theta", "prophet_mult"),
            ("auto_ets", "auto_theta", "seasonal naive"),
        ):
            ms, cov = variant(outs, cands, 3, 12, 3, 0.2)
            print(f"  cands {'+'.join(cands)} k 3 margin 0.2: MASE {ms:.3f} cov {cov:.1%}")
        with_air = (*base, "airline")
        for k in (3, 4, 5):
            for margin in (0.2, 1.0):
                ms, cov = variant(outs, with_air, 3, 12, k, margin)
                print(f"  + airline k {k} margin {margin:.1f}: MASE {ms:.3f} cov {cov:.1%}")
        for g in (0.0, 0.25, 0.5, 0.75):
            ms, cov = variant(outs, base, 3, 12, 3, 0.2, growth=g)
            print(f"  band growth fixed {g}: coverage {cov:.1%}")


if __name__ == "__main__":
    main()
