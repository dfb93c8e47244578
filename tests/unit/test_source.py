"""The database source without a server: where the connection settings come from, the
password kept out of every text, the queries file checked, the saved queries stored per
company (tests/pg runs them on a real server)."""

from __future__ import annotations

from pathlib import Path

import pytest
from people import person

from sop.cli.main import main
from sop.core import access
from sop.data.source import (
    DSN_ENV,
    SourceError,
    first_word,
    load_config,
    parse_queries_file,
    query_problem,
    redact,
)
from sop.store import StoreError, source_queries

SECRET = "p@ss w0rd!"


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in (
        DSN_ENV,
        "SOP_SOURCE_TIMEOUT",
        "PGHOST",
        "PGPORT",
        "PGDATABASE",
        "PGUSER",
        "PGSERVICE",
        "PGHOSTADDR",
        "PGPASSWORD",
    ):
        monkeypatch.delenv(var, raising=False)


def _file(tmp_path: Path, text: str, name: str = "q.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_no_settings_is_none(tmp_path: Path) -> None:
    assert load_config(secrets=tmp_path / "absent.toml") is None


def test_dsn_variable_wins_and_hides_the_password(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv(DSN_ENV, "postgresql://ann:p%40ss%20w0rd%21@db.example:6543/erp")
    secrets = _file(tmp_path, '[connections.source]\nhost = "other"\n', "secrets.toml")
    config = load_config(secrets=secrets)
    assert config.params["password"] == SECRET and config.params["host"] == "db.example"
    assert config.describe() == "ann@db.example:6543/erp" and "SOP_SOURCE_DSN" in config.origin
    assert SECRET not in repr(config) and SECRET not in str(config)
    assert config.timeout_s == 300


def test_secrets_file_keys_and_timeout(tmp_path) -> None:
    secrets = _file(
        tmp_path,
        '[connections.source]\ndialect = "postgresql"\nhost = "h"\nport = 5433\n'
        f'database = "erp"\nusername = "ann"\npassword = "{SECRET}"\nstatement_timeout = 45\n',
        "secrets.toml",
    )
    config = load_config(secrets=secrets)
    assert config.params == {
        "host": "h",
        "port": "5433",
        "dbname": "erp",
        "user": "ann",
        "password": SECRET,
    }
    assert config.timeout_s == 45 and config.describe() == "ann@h:5433/erp"
    assert load_config(secrets=secrets, timeout_s=5).timeout_s == 5


@pytest.mark.parametrize(
    "body, words",
    [
        ('[connections.source]\nhots = "h"\n', ["unknown setting `hots`", "Did you mean `host`"]),
        ('[connections.source]\ndialect = "mysql"\n', ["mysql", "not supported"]),
        ('[connections.source]\nhost = "h"\nstatement_timeout = "soon"\n', ["'soon'", "seconds"]),
        ("[connections.source\n", ["not valid TOML"]),
    ],
)
def test_bad_secrets_file(tmp_path, body, words) -> None:
    with pytest.raises(SourceError) as caught:
        load_config(secrets=_file(tmp_path, body, "secrets.toml"))
    for word in words:
        assert word in str(caught.value)


def test_pg_variables_and_timeout_variable(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PGHOST", "pghost")
    monkeypatch.setenv("PGDATABASE", "erp")
    monkeypatch.setenv("PGPASSWORD", SECRET)
    monkeypatch.setenv("SOP_SOURCE_TIMEOUT", "12")
    config = load_config(secrets=tmp_path / "absent.toml")
    assert config.params == {} and config.describe() == "pghost:5432/erp"
    assert config.timeout_s == 12 and config.redact(f"failed for {SECRET}") == "failed for ***"
    monkeypatch.setenv("SOP_SOURCE_TIMEOUT", "-1")
    with pytest.raises(SourceError, match="SOP_SOURCE_TIMEOUT"):
        load_config(secrets=tmp_path / "absent.toml")


def test_redact_every_form() -> None:
    text = (
        "postgresql://ann:hunter22@h/db host=h password=hunter22 password='a b' and hunter22 again"
    )
    out = redact(text, "hunter22")
    assert "hunter22" not in out and "a b" not in out
    assert "postgresql://ann:***@h/db" in out


def test_queries_file_good(tmp_path) -> None:
    path = _file(
        tmp_path,
        '[queries]\nsales = """\n-- monthly\nSELECT sku, month, region, units FROM erp.s;\n"""\n'
        'Products = "WITH p AS (SELECT 1) SELECT * FROM erp.products"\n',
    )
    queries, problems = parse_queries_file(path)
    assert problems == []
    assert queries == {
        "sales": "-- monthly\nSELECT sku, month, region, units FROM erp.s",
        "products": "WITH p AS (SELECT 1) SELECT * FROM erp.products",
    }
    top_level = _file(tmp_path, 'sales = "SELECT 1"\n', "top.toml")
    assert parse_queries_file(top_level) == ({"sales": "SELECT 1"}, [])


@pytest.mark.parametrize(
    "body, words",
    [
        ('[queries]\nsale = "SELECT 1"\n', ["`sale` is not a table", "Did you mean `sales`"]),
        ('[queries]\nsales = "  "\n', ["query for `sales` is empty"]),
        ('[queries]\nsales = "-- later\\n"\n', ["query for `sales` is empty"]),
        ('[queries]\nsales = "DELETE FROM s"\n', ["starts with DELETE", "may only read"]),
        ('[queries]\nsales = "DROP TABLE s"\n', ["starts with DROP"]),
        ("[queries]\nsales = 3\n", ["must be a query in quotes"]),
        ("[queries]\n[queries.sales]\nq = 1\n", ['sales = """SELECT ..."""']),
        ('[queries\nsales = "x"\n', ["not valid TOML"]),
        ("# nothing\n", ["no query found"]),
    ],
)
def test_queries_file_problems(tmp_path, body, words) -> None:
    queries, problems = parse_queries_file(_file(tmp_path, body))
    text = " ".join(problems)
    assert problems and str(tmp_path) in text
    for word in words:
        assert word in text, text


def test_first_word_skips_comments_and_brackets() -> None:
    assert first_word("/* why */ -- note\n ( SELECT 1)") == "select"
    assert first_word("  with x as (select 1) select * from x") == "with"
    assert query_problem("sales", "TABLE erp.sales") is None
    assert "starts with UPDATE" in query_problem("sales", "-- x\nUPDATE s SET a = 1")


def test_store_per_company(store) -> None:
    source_queries.set_all(store, "Acme", {"sales": "SELECT 1", "products": "SELECT 2"})
    steward = store.as_actor(person("Bob", access.DATA_STEWARD))
    source_queries.set_all(steward, "Beta", {"sales": "SELECT 3"})
    assert source_queries.saved(store, "Beta")["author"].tolist() == [steward.actor.signature]
    assert source_queries.queries(store, "Acme") == {"products": "SELECT 2", "sales": "SELECT 1"}
    assert list(source_queries.queries(store, "Acme")) == ["products", "sales"]  # load order
    assert source_queries.queries(store, "Beta") == {"sales": "SELECT 3"}
    removed = source_queries.set_all(store, "Acme", {"sales": "SELECT 4"})
    assert removed == ["products"]
    assert source_queries.queries(store, "Acme") == {"sales": "SELECT 4"}
    source_queries.save(store, "Acme", "budget", "SELECT 5 -- it's O'Brien's")
    assert source_queries.queries(store, "Acme")["budget"] == "SELECT 5 -- it's O'Brien's"
    assert source_queries.delete(store, "Acme", "budget") and not source_queries.delete(
        store, "Acme", "budget"
    )
    with pytest.raises(StoreError, match="not a table"):
        source_queries.save(store, "Acme", "nope", "SELECT 1")
    finance = store.as_actor(person("Fay", access.FINANCE))
    with pytest.raises(access.AccessDenied, match="load, refresh or restore"):
        source_queries.save(finance, "Acme", "sales", "SELECT 1")
    with pytest.raises(access.AccessDenied):
        source_queries.delete(finance, "Acme", "sales")
    assert source_queries.queries(store, "Acme") == {"sales": "SELECT 4"}


def test_cli_source_saves_checks_and_shows(store, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SOP_USER", "Ann")  # the command line acts as the local user
    at = ["--store", str(store.path)]
    bad = _file(tmp_path, '[queries]\nsale = "SELECT 1"\nbudget = "UPDATE b SET x = 1"\n')
    assert main(["source", "--queries", str(bad), "--company", "Acme", *at]) == 2
    err = capsys.readouterr().err
    assert "Did you mean `sales`" in err and "starts with UPDATE" in err
    assert "Nothing was saved" in err and source_queries.queries(store, "Acme") == {}
    assert main(["source", "--queries", str(bad), *at]) == 2  # no dataset: no company
    assert "--company" in capsys.readouterr().err
    good = _file(tmp_path, '[queries]\nsales = "SELECT * FROM s"\n', "good.toml")
    argv = ["source", "--queries", str(good), "--company", "Acme", *at]
    assert main(argv) == 0
    assert "Saved 1 query for `Acme` (sales)" in capsys.readouterr().out
    assert main(["source", "--company", "Acme", *at]) == 0
    shown = capsys.readouterr().out
    assert "No database connection is set" in shown and "SELECT * FROM s" in shown
    assert "saved by Ann (local)" in shown
