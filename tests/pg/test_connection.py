"""Connection failures on a real server (refused, wrong password, unknown database, no
password), each refused with what to do and the store unchanged; the password never
appears in a message, the command line's output or a repr; settings from
.streamlit/secrets.toml."""

from __future__ import annotations

import pytest
from pg_server import PLANNER, PLANNER_PASSWORD
from tiny import free_port, snapshot

from sop.cli.main import main
from sop.data import postgres
from sop.data import refresh as rf
from sop.data.source import DSN_ENV, SourceError, load_config

WRONG = "Wr0ng-Pa55word!"

# id: (how to spoil the planner's URL, words the message must hold)
CASES = {
    "refused": (lambda pg: pg.dsn(port=free_port()), ["refused the connection", "PostgreSQL runs"]),
    "wrong password": (
        lambda pg: pg.dsn(password=WRONG),
        [f"the password of {PLANNER} was refused", "PGPASSWORD"],
    ),
    "unknown database": (
        lambda pg: pg.dsn(dbname="erp_archive"),
        ["no database of that name", "psql -l"],
    ),
    "unknown user": (lambda pg: pg.dsn(user="ghost", password=WRONG), ["was refused"]),
    "no password": (lambda pg: pg.dsn(password=None), ["asks for a password and none is set"]),
}


@pytest.fixture
def no_pg_env(monkeypatch, tmp_path) -> None:
    for var in ("PGPASSWORD", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGSERVICE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))


@pytest.mark.parametrize("case", list(CASES))
def test_connection_failure(case, pg, loaded, monkeypatch, tmp_path, capsys, no_pg_env) -> None:
    spoil, words = CASES[case]
    dsn = spoil(pg)
    monkeypatch.setenv(DSN_ENV, dsn)
    config = load_config(secrets=tmp_path / "none.toml")
    before = snapshot(loaded)
    got = rf.refresh(loaded, config)
    assert got.status == rf.REFUSED and got.message.startswith("Cannot connect to the database")
    for word in words:
        assert word in got.message, got.message
    assert "the store is unchanged" in got.message
    assert snapshot(loaded) == before
    for secret in (WRONG, PLANNER_PASSWORD):
        assert secret not in got.message and secret not in repr(config)
    assert main(["refresh", "--store", str(loaded.path)]) == 2
    out = capsys.readouterr()
    assert "Cannot connect" in out.err
    for secret in (WRONG, PLANNER_PASSWORD):
        assert secret not in out.out + out.err
    assert snapshot(loaded) == before


def test_secret_never_shown(pg, loaded, monkeypatch, tmp_path, capsys) -> None:
    """`source` names the server without the password; redaction covers URL, keyword and
    bare forms; a SourceError raised by connect holds no password."""
    monkeypatch.setenv(DSN_ENV, pg.dsn())
    assert main(["source", "--store", str(loaded.path)]) == 0
    shown = capsys.readouterr().out
    assert f"{PLANNER}@127.0.0.1:{pg.port}/erp" in shown and PLANNER_PASSWORD not in shown
    config = load_config(secrets=tmp_path / "none.toml")
    assert PLANNER_PASSWORD not in repr(config) and PLANNER_PASSWORD not in config.describe()
    text = f"postgresql://u:{PLANNER_PASSWORD}@h/db password={PLANNER_PASSWORD} {PLANNER_PASSWORD}"
    assert PLANNER_PASSWORD not in config.redact(text)
    monkeypatch.setenv(DSN_ENV, pg.dsn(password=WRONG))
    with pytest.raises(SourceError) as caught:
        postgres.connect(load_config(secrets=tmp_path / "none.toml"))
    assert WRONG not in str(caught.value) and "was refused" in str(caught.value)


def test_settings_from_secrets_toml(pg, loaded, monkeypatch, tmp_path) -> None:
    monkeypatch.delenv(DSN_ENV, raising=False)
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        "[connections.source]\n"
        f'host = "127.0.0.1"\nport = {pg.port}\ndatabase = "erp"\n'
        f'username = "{PLANNER}"\npassword = "{PLANNER_PASSWORD}"\nstatement_timeout = 30\n'
    )
    config = load_config(secrets=secrets)
    assert config.timeout_s == 30 and "secrets.toml" in config.origin
    assert rf.refresh(loaded, config).status == rf.UNCHANGED
    secrets.write_text(f'[connections.source]\nurl = "{pg.dsn(password=WRONG)}"\n')
    got = rf.refresh(loaded, load_config(secrets=secrets))
    assert got.status == rf.REFUSED and "was refused" in got.message
    assert WRONG not in got.message
