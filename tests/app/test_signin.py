"""The sign-in gate through AppTest: `[auth]` in the secrets turns it on; nothing of the
app shows before sign-in; a signed-in person is recorded in the store and acts with the
roles the store gives them now (a change applies at the next run); no e-mail claim, an
unverified address or a broken configuration is refused with what to do. The real
round trip through an OpenID Connect provider is tests/browser/test_browser_signin.py."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from tiny import ROOT

from sop.core import access
from sop.core.access import Actor
from sop.scenario.wording import escape_md
from sop.store import Store, users
from sop.ui import auth, router

APP = str(ROOT / "app.py")
ISSUER = "https://idp.example.com/.well-known/openid-configuration"
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-long-enough-cookie-secret-for-the-tests",
    "client_id": "sop",
    "client_secret": "s3cret",
    "server_metadata_url": ISSUER,
}


def _app(secrets: dict | None, user: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if secrets is not None:
        at.secrets.update(secrets)
    at.user = user if user is not None else {"is_logged_in": False}
    return at


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [t.value for t in at.title]
    return "\n".join(str(p) for p in parts)


def _sidebar_text(at: AppTest) -> str:
    return "\n".join(str(c.value) for c in at.sidebar.caption)


def _next_run(at: AppTest) -> AppTest:
    """Run again through app.py, as a click on the real server does: AppTest reruns the
    current page alone once app.py has routed it (`sop.ui.router.through_router`)."""
    del at.session_state[router.ROUTED]
    return at.run()


def _ann(**extra) -> dict:
    return {"is_logged_in": True, "email": "Ann@Example.com", "name": "Ann Lee", **extra}


def test_without_auth_the_app_is_single_user_and_says_so(store: Store) -> None:
    at = _app({"sop": {"admins": ["x@example.com"]}}).run()
    assert not at.exception, at.exception
    local = Actor.local_user()
    note = _sidebar_text(at)
    assert "Single-user mode: sign-in is not configured" in note
    assert local.name in note and "docs/security.md" in note
    assert not [b for b in at.button if b.label.startswith("Sign in")]
    assert at.title[0].value == "Data gathering"  # the app as before


def test_before_sign_in_only_the_sign_in_screen_shows(store: Store) -> None:
    at = _app({"auth": AUTH}).run()
    assert not at.exception, at.exception
    assert [b.label for b in at.button] == ["Sign in with idp.example.com"]
    assert [t.value for t in at.title] == ["S&OP Studio"]
    assert "Data gathering" not in _texts(at)
    assert not at.sidebar.caption  # no dataset, no company, no person
    assert users.people(store).empty  # nobody recorded before signing in


def test_named_providers_each_get_a_button(store: Store) -> None:
    shared = {k: AUTH[k] for k in ("redirect_uri", "cookie_secret")}
    provider = {k: AUTH[k] for k in ("client_id", "client_secret")}
    at = _app(
        {
            "auth": {
                **shared,
                "google": {
                    **provider,
                    "server_metadata_url": "https://accounts.google.com/.well-known/x",
                },
                "corp": {**provider, "server_metadata_url": ISSUER},
            }
        }
    ).run()
    assert not at.exception, at.exception
    assert [b.label for b in at.button] == ["Sign in with Google", "Sign in with Corp"]


def test_an_incomplete_auth_section_refuses_to_open(store: Store) -> None:
    broken = {k: v for k, v in AUTH.items() if k not in ("cookie_secret", "client_secret")}
    at = _app({"auth": broken}, _ann()).run()
    assert not at.exception, at.exception
    message = at.error[0].value
    assert "cookie\\_secret" in message and "client\\_secret" in message
    assert "docs/security.md" in message
    assert "Data gathering" not in _texts(at)
    assert users.people(store).empty


def test_first_sign_in_is_a_viewer_recorded_in_the_store(store: Store) -> None:
    at = _app({"auth": AUTH}, _ann()).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Data gathering"
    assert "Signed in as **Ann Lee** · viewer" in _sidebar_text(at)
    assert [b.label for b in at.sidebar.button] == ["Sign out"]
    people = users.people(store)
    assert people["email"].tolist() == ["ann@example.com"]
    assert people["roles"].tolist() == [""]
    actor = at.session_state[auth.ACTOR]
    assert actor == Actor("ann@example.com", "Ann Lee", frozenset())
    assert actor.signature == "Ann Lee <ann@example.com>"


def test_bootstrap_admins_are_admins_on_first_sign_in(store: Store) -> None:
    secrets = {"auth": AUTH, "sop": {"admins": ["ann@example.com"]}}
    at = _app(secrets, _ann()).run()
    assert not at.exception, at.exception
    assert users.roles_of(store, "ann@example.com") == {access.ADMIN}
    assert "· admin" in _sidebar_text(at)


def test_a_role_change_applies_at_the_next_run(store: Store) -> None:
    at = _app({"auth": AUTH}, _ann()).run()
    assert at.session_state[auth.ACTOR].roles == frozenset()
    users.set_roles(store, "ann@example.com", {access.DEMAND_PLANNER, access.FINANCE})
    _next_run(at)
    assert not at.exception, at.exception
    assert at.session_state[auth.ACTOR].roles == {access.DEMAND_PLANNER, access.FINANCE}
    assert "· demand planner, finance" in _sidebar_text(at)
    users.set_roles(store, "ann@example.com", set())
    _next_run(at)
    assert at.session_state[auth.ACTOR].roles == frozenset()
    assert len(users.people(store)) == 1  # signed in once: one row, name kept


def test_the_name_from_the_provider_is_escaped(store: Store) -> None:
    name = "[Ann](https://evil.example) *x*"
    at = _app({"auth": AUTH}, _ann(name=name)).run()
    assert not at.exception, at.exception
    shown = _sidebar_text(at)
    assert f"Signed in as **{escape_md(name)}**" in shown
    assert "[Ann](" not in shown


def test_no_email_claim_is_refused_with_what_to_configure(store: Store) -> None:
    at = _app({"auth": AUTH}, {"is_logged_in": True, "sub": "123", "name": "Bo"}).run()
    assert not at.exception, at.exception
    message = at.error[0].value
    assert "sent no e-mail address" in message and '"openid email profile"' in message
    assert "Data gathering" not in _texts(at)
    assert [b.label for b in at.button] == ["Sign out"]
    assert users.people(store).empty


def test_an_unverified_address_is_refused(store: Store) -> None:
    at = _app({"auth": AUTH}, _ann(email_verified=False)).run()
    assert not at.exception, at.exception
    assert "is not verified" in at.error[0].value
    assert "Data gathering" not in _texts(at)
    assert users.people(store).empty


def test_sign_out_returns_to_the_sign_in_screen(store: Store) -> None:
    """Through the refusal screen's button (app.py's own page; AppTest would rerun a
    page alone, without the sidebar's: the browser test signs out from the sidebar)."""
    at = _app({"auth": AUTH}, {"is_logged_in": True, "sub": "123"}).run()
    at.button(key="auth_sign_out_no_email").click().run()
    assert at.user == {"is_logged_in": False}
    at.run()  # the real app is redirected to a new session: the next run
    assert not at.exception, at.exception
    assert [b.label for b in at.button] == ["Sign in with idp.example.com"]


@pytest.mark.parametrize("user", [None, {"is_logged_in": False}])
def test_writes_act_as_nobody_until_the_gate_passed(store: Store, user) -> None:
    """A page that ran before the gate (no person in the session) must not act as the
    local user, who holds every role, while sign-in is configured."""
    script = (
        "import streamlit as st\n"
        "from sop.ui import auth\n"
        "a = auth.current_actor()\n"
        "st.write(f'{a.signature}|{sorted(a.roles)}')\n"
    )
    at = AppTest.from_string(script)
    if user is not None:
        at.secrets.update({"auth": AUTH})
        at.user = user
    at.run()
    shown = at.markdown[0].value
    if user is None:
        assert shown.endswith(f"|{sorted(access.ROLES)}")
    else:
        assert shown == f"{auth.NOBODY.signature}|[]"
