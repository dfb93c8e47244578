"""`python -m sop users`: list, set, remove and log the people who may sign in, with exit
codes and messages that say what to fix; the command line acts as the local user."""

from __future__ import annotations

import pytest

from sop.cli.main import main
from sop.core import access
from sop.store import Store, users


@pytest.fixture
def at(store: Store, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("SOP_USER", "Lee")
    return ["--store", str(store.path)]


def test_set_list_remove_and_log(store: Store, at: list[str], capsys) -> None:
    assert main(["users", "list", *at]) == 0
    assert "Nobody has signed in" in capsys.readouterr().out
    argv = ["users", "set", " Ann@Example.com", "--role", "Demand planner", "--role", "executive"]
    assert main([*argv, "--name", "Ann Lee", *at]) == 0
    assert "ann@example.com now has the roles: demand planner, executive." in (
        capsys.readouterr().out
    )
    assert users.roles_of(store, "ann@example.com") == {access.DEMAND_PLANNER, access.EXECUTIVE}
    assert main(["users", "set", "bob@example.com", *at]) == 0  # no --role: a viewer
    assert "bob@example.com now has the roles: viewer." in capsys.readouterr().out
    assert users.roles_of(store, "bob@example.com") == frozenset()
    assert main(["users", "list", *at]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["email", "name", "roles", "last", "seen"]
    assert "ann@example.com" in out[1] and "Ann Lee" in out[1] and "never" in out[1]
    assert "demand planner, executive" in out[1] and "viewer" in out[2]
    assert main(["users", "remove", "bob@example.com", *at]) == 0
    assert "Removed bob@example.com" in capsys.readouterr().out
    assert main(["users", "remove", "bob@example.com", *at]) == 1  # not known any more
    assert "not known; nothing was removed" in capsys.readouterr().out
    assert main(["users", "log", *at]) == 0
    log = capsys.readouterr().out.splitlines()
    assert len(log) == 4  # the header and three changes, newest first
    assert "bob@example.com" in log[1] and "(removed)" in log[1] and "Lee (local)" in log[1]
    assert "ann@example.com" in log[3] and "(new)" in log[3]
    assert users.changes(store)["changed_by"].eq("Lee (local)").all()


@pytest.mark.parametrize(
    "argv, said",
    [
        (["set", "not-an-address", "--role", "admin"], "is not an e-mail address"),
        (["set", "a@example.com", "--role", "boss"], "unknown role boss: give --role one of"),
        (["remove", "nobody"], "is not an e-mail address"),
    ],
)
def test_bad_input_exits_2_with_what_to_fix(store, at, capsys, argv, said) -> None:
    assert main(["users", *argv, *at]) == 2
    err = capsys.readouterr().err
    assert said in err
    if "role" in said:
        assert all(role in err for role in access.ROLES)  # the known roles, listed
    assert users.people(store).empty


def test_the_last_admin_cannot_be_removed(store, at, capsys) -> None:
    assert main(["users", "set", "root@example.com", "--role", "admin", *at]) == 0
    assert main(["users", "set", "root@example.com", "--role", "viewer", *at]) == 2
    assert "is the last admin" in capsys.readouterr().err
    assert main(["users", "remove", "root@example.com", *at]) == 2
    assert users.roles_of(store, "root@example.com") == {access.ADMIN}


def test_help_says_the_command_line_acts_as_the_local_user(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["users", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "acts as the person at this machine" in text and "open the store file" in text
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "a shell user can open the store file anyway" in " ".join(
        capsys.readouterr().out.split()
    )


def test_a_refused_write_on_the_command_line_exits_1_and_says_why(
    store: Store, at: list[str], capsys, monkeypatch: pytest.MonkeyPatch, tiny_dir
) -> None:
    assert main(["load", str(tiny_dir), *at]) == 0
    viewer = access.Actor(email="", name="Lee", roles=frozenset(), local=True)
    monkeypatch.setattr(access.Actor, "local_user", classmethod(lambda cls: viewer))
    assert main(["restore", "1", *at]) == 1  # not "check the path and its permissions"
    err = capsys.readouterr().err
    assert "Lee (local) (viewer) may not load, refresh or restore a dataset" in err
    assert "permissions" not in err
