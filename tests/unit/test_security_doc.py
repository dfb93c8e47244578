"""docs/security.md against the code: its role table is `sop.core.access.ALLOWED`, and
the served-mode settings it describes are the ones in .streamlit/config.toml and the
Makefile."""

from __future__ import annotations

import re
import tomllib

from tiny import ROOT

from sop.core import access

DOC = ROOT / "docs" / "security.md"


def role_table() -> str:
    """The role x action table as docs/security.md shows it, made from `access`."""
    roles = list(access.ROLES)
    lines = [
        "| the person may … | " + " | ".join(r.replace("_", " ") for r in roles) + " |",
        "|---|" + "|".join([":-:"] * len(roles)) + "|",
    ]
    for action, text in access.ACTIONS.items():
        cells = ("✔" if action in access.ALLOWED[r] else "·" for r in roles)
        lines.append(f"| {text} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def test_the_role_table_is_the_one_in_access() -> None:
    doc = DOC.read_text(encoding="utf-8")
    assert role_table() in doc, "docs/security.md's role table should read:\n" + role_table()


def test_the_role_table_covers_every_role_and_action() -> None:
    table = role_table().splitlines()
    assert len(table) == 2 + len(access.ACTIONS)
    assert all(row.count("|") == len(access.ROLES) + 2 for row in table)
    # the viewer changes nothing; every other role can at least comment
    assert "✔" not in [row.split("|")[2].strip() for row in table[2:]]


def test_config_binds_localhost_and_hides_error_details() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "localhost"
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["enableCORS"] is True
    # "type": the kind of error, never its message or traceback
    assert config["client"]["showErrorDetails"] == "type"


def test_make_run_binds_localhost_unless_told() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^HOST\s*\?=\s*localhost$", makefile, re.M)
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "--server.address $(HOST)" in run


def test_the_docs_name_what_they_rely_on() -> None:
    doc = DOC.read_text(encoding="utf-8")
    for needed in (
        "/oauth2callback",
        "cookie_secret",
        "server_metadata_url",
        "[sop]",
        "python -m sop users set",
        "proxy_set_header Upgrade $http_upgrade",
        "server.enableXsrfProtection",
        "server.enableCORS",
    ):
        assert needed in doc, needed
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/security.md" in readme
