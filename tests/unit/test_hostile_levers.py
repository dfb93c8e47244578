"""Levers files and scenario links against hostile input: files too large, with a BOM,
keys given twice, deep nesting, negative rates, megabytes of errors; links whose
family, region and line names hold `,` `:` `=` `&` `#` `%`, quotes and unicode."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import pytest

from sop.__main__ import main
from sop.core import configfile
from sop.scenario import url as scenario_url
from sop.scenario.lever_space import LeverSpace
from sop.scenario.levers import Levers

MOVED = Levers(
    demand_pct=12.5,
    demand_family_pct=(("Cooling", 5.0),),
    holding_cost_rate=20.0,
)


def _file(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def _cli_error(path: Path, capsys, data: Path) -> str:
    assert main(["scenario", "--data", str(data), "--levers", str(path), "--no-risk"]) == 2
    out = capsys.readouterr()
    return out.out + out.err


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_a_bom_is_accepted(suffix: str) -> None:
    text = (
        MOVED.to_json()
        if suffix == ".json"
        else "scn_demand_pct = 12.5\nscn_holding_cost_rate = 20\n"
        '[scn_demand_family_pct]\n"Cooling" = 5\n'
    )
    data = b"\xef\xbb\xbf" + text.encode()
    assert Levers.from_file_text(data, suffix) == MOVED
    assert Levers.from_file_text("\ufeff" + text, suffix) == MOVED


@pytest.mark.parametrize(
    ("suffix", "text", "key"),
    [
        (".json", '{"scn_demand_pct": 5, "scn_demand_pct": 50}', "scn_demand_pct"),
        (".json", '{"scn_price_family_pct": {"Cooling": 1, "Cooling": 9}}', "Cooling"),
        (
            ".toml",
            "scn_demand_pct = 5\nscn_labour_cost_pct = 1\nscn_demand_pct = 50\n",
            "scn_demand_pct",
        ),
        (".toml", "scn_demand_pct = 5\nscn_demand_pct = 50", "scn_demand_pct"),
        (".toml", "[levers]\nscn_demand_pct = 5\n[levers]\nscn_labour_cost_pct = 1\n", "levers"),
    ],
)
def test_a_key_given_twice_is_refused_by_name(suffix: str, text: str, key: str) -> None:
    with pytest.raises(ValueError, match="given more than once") as err:
        Levers.from_file_text(text, suffix)
    assert repr(key) in str(err.value)


@pytest.mark.parametrize(
    ("suffix", "text"),
    [
        (".json", '{"scn_demand_pct": ' + "[" * 50_000 + "]" * 50_000 + "}"),
        (".toml", "scn_demand_pct = " + "[" * 50_000 + "]" * 50_000),
        (".toml", "scn_x = " + "{a = " * 3000 + "1" + "}" * 3000),
        (".json", '{"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": 1}}}}}}}}'),
        (".toml", "a.b.c.d.e.f.g.h = 1"),
    ],
)
def test_deep_nesting_is_refused_without_a_recursion_error(suffix: str, text: str) -> None:
    with pytest.raises(configfile.ConfigFileError, match="levels deep"):
        Levers.from_file_text(text, suffix)


@pytest.mark.parametrize("field", ["holding_cost_rate", "safety_stock_months", "hiring_limit"])
@pytest.mark.parametrize("value", [-0.5, -2.0, -100.0])
def test_negative_rates_are_refused(field: str, value: float) -> None:
    """-1 alone means "as in the data"; any other negative is a mistake, not -1."""
    levers = Levers.from_dict({f"scn_{field}": value})
    assert any(field in p and "cannot be negative" in p for p in levers.problems())
    kept, why = levers.without_bad()
    assert getattr(kept, field) == -1.0 and any("cannot be negative" in w for w in why)
    assert Levers.from_dict({f"scn_{field}": -1}).problems() == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("promo_uplift_pct", -5),
        ("overtime_cap_pct", -10),
        ("subcontract_cap_pct", -1),
        ("ending_units", {"Cooling": -5}),
        ("holding_cost_rate", -0.5),
    ],
)
def test_cli_refuses_negative_rates_in_a_levers_file(
    tmp_path, capsys, tiny_dir, field, value
) -> None:
    path = _file(tmp_path, "l.json", json.dumps({f"scn_{field}": value}))
    assert f"scn_{field}" in _cli_error(path, capsys, tiny_dir)


def test_a_large_file_is_refused_with_its_size_and_a_short_message(
    tmp_path, capsys, tiny_dir
) -> None:
    body = ", ".join(f'"scn_bogus_{i}": "{"x" * 90}"' for i in range(100_000))
    path = _file(tmp_path, "big.json", "{" + body + "}")
    assert path.stat().st_size > 10_000_000
    started = time.perf_counter()
    text = _cli_error(path, capsys, tiny_dir)
    assert "MB" in text and "at most 1.0 MB" in text and len(text) < 1000
    assert time.perf_counter() - started < 5


def test_many_problems_give_a_bounded_message() -> None:
    """Just under the size limit, every entry wrong: 20 problems listed, then a count."""
    body = {f"scn_{'y' * 200}_{i}": "x" * 300 for i in range(1800)}
    text = json.dumps(body)
    assert len(text) < configfile.MAX_BYTES
    with pytest.raises(ValueError) as err:
        Levers.from_file_text(text, ".json")
    message = str(err.value)
    assert message.endswith("and 1780 more") and len(message) < 20 * 220
    pairs = ",".join(f"F{i}:abc" for i in range(5000))
    _, errors = Levers.parse({"scn_demand_family_pct": pairs})
    assert len(configfile.bounded(errors)) < 20 * 220


HOSTILE_CHARS = ",:=&#%'\"+?/ \\;[]{}<>`|" + "éß中文🙂" + "\u200b"


def _names(rng: random.Random, n: int) -> list[str]:
    out: set[str] = set()
    while len(out) < n:
        size = rng.randint(1, 12)
        name = "".join(rng.choice(HOSTILE_CHARS + "abcXYZ019-") for _ in range(size))
        if name.strip():
            out.add(name)
    return sorted(out)


def _round_trip(levers: Levers) -> Levers:
    """As the browser does: the query string encoded, then parsed back."""
    query = urlencode(levers.to_query())
    params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    back, problems = scenario_url.levers_from_url(params)
    assert problems == [], problems
    return back


def test_any_name_survives_a_scenario_link() -> None:
    rng = random.Random(14)
    for _ in range(200):
        fam, reg, res = _names(rng, 3), _names(rng, 2), _names(rng, 2)
        levers = Levers(
            demand_family_pct=tuple(sorted((f, rng.choice([5.0, -3.25, 12.125])) for f in fam)),
            demand_region_pct=tuple(sorted((r, 2.5) for r in reg)),
            price_family_pct=((fam[0], 1.5),),
            ending_units=((fam[1], 1_234_567.0),),
            capacity_changes=tuple((r, "2027-01", "2027-03", 50.0) for r in res),
            promo_family=fam[2],
            promo_start="2027-02",
            promo_uplift_pct=10.0,
        )
        assert _round_trip(levers) == levers
        space = LeverSpace(
            families=tuple(fam),
            regions=tuple(reg),
            resources=tuple(res),
            months=("2027-01", "2027-02", "2027-03"),
        )
        query = urlencode(levers.to_query())
        params = {k: v[-1] for k, v in parse_qs(query).items()}
        assert scenario_url.levers_from_url(params, space) == (levers, [])


def test_numbers_survive_a_link_exactly() -> None:
    levers = Levers(demand_pct=12.345678901, ending_units=(("A", 1_234_567.0),))
    assert _round_trip(levers) == levers


def test_old_links_still_read() -> None:
    """Links written before names were escaped read as they did."""
    levers = Levers.from_query({"scn_demand_family_pct": "Cooling:5,Heating:-3"})
    assert levers.demand_family_pct == (("Cooling", 5.0), ("Heating", -3.0))


@pytest.mark.parametrize("month", ["9999-12", "0000-01", "1899-12", "2201-01"])
def test_months_outside_1900_2200_are_not_months(month: str) -> None:
    levers = Levers(promo_family="Cooling", promo_start=month)
    assert any("is not a month" in p for p in levers.problems())
    changes = Levers(capacity_changes=(("L1", "2027-01", month, 50.0),))
    assert any("is not a month" in p for p in changes.problems())
    back, problems = scenario_url.levers_from_url(
        {"scn_promo_family": "Cooling", "scn_promo_start": month, "scn_promo_months": "3"}
    )
    assert back is not None and back.promo_family == "" and problems


def test_a_crafted_link_gives_a_short_warning() -> None:
    pairs = ",".join(f"F{i}:abc" for i in range(5000))
    levers, problems = scenario_url.levers_from_url({"scn_demand_family_pct": pairs})
    assert len(problems) == 5000 and levers is not None
    warning = scenario_url.link_warning(problems)
    assert warning.count("\n- ") == 21 and warning.endswith("- and 4980 more")
