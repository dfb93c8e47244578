"""Reading the sign-in configuration (`sop.ui.auth.read_sign_in`): `[auth]` turns
sign-in on; one provider in `[auth]` itself or named ones; what is missing is named;
`[sop] admins` bootstraps the first admin; the shipped example is complete."""

from __future__ import annotations

import tomllib

from tiny import ROOT

from sop.ui.auth import Provider, read_sign_in

SHARED = {"redirect_uri": "https://sop.example.com/oauth2callback", "cookie_secret": "x" * 40}
CLIENT = {"client_id": "id", "client_secret": "secret"}


def _provider(url: str) -> dict:
    return {**CLIENT, "server_metadata_url": url}


def test_no_auth_section_is_single_user_mode() -> None:
    assert read_sign_in({}) is None
    assert read_sign_in({"sop": {"admins": ["a@example.com"]}, "db": {"x": 1}}) is None


def test_one_provider_in_auth_itself() -> None:
    url = "https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration"
    config = read_sign_in({"auth": {**SHARED, **_provider(url)}})
    assert config.providers == (Provider(None, "Microsoft"),)
    assert config.problems == ()
    unknown = read_sign_in({"auth": {**SHARED, **_provider("http://127.0.0.1:5555/x")}})
    assert unknown.providers == (Provider(None, "127.0.0.1"),)


def test_named_providers_in_order_and_client_kwargs_is_not_one() -> None:
    config = read_sign_in(
        {
            "auth": {
                **SHARED,
                "client_kwargs": {"prompt": "select_account"},
                "okta": _provider("https://acme.okta.com/.well-known/openid-configuration"),
                "corp-sso": _provider("https://sso.acme.test/.well-known/openid-configuration"),
            }
        }
    )
    assert config.providers == (Provider("okta", "Okta"), Provider("corp-sso", "Corp Sso"))
    assert config.problems == ()


def test_what_is_missing_is_named() -> None:
    config = read_sign_in({"auth": {"redirect_uri": "https://sop.example.com/callback"}})
    text = "\n".join(config.problems)
    assert "[auth] has no cookie_secret" in text
    assert "must end with /oauth2callback" in text
    assert "names no identity provider" in text
    half = read_sign_in({"auth": {**SHARED, "google": {"client_id": "x"}, "my_idp": CLIENT}})
    text = "\n".join(half.problems)
    assert "[auth.google] has no client_secret, server_metadata_url" in text
    assert "[auth.my_idp]: a provider's name may not contain '_'" in text
    assert read_sign_in({"auth": "on"}).problems


def test_bootstrap_admins() -> None:
    auth = {**SHARED, **_provider("https://accounts.google.com/x")}
    assert read_sign_in({"auth": auth}).admins == ()
    listed = read_sign_in({"auth": auth, "sop": {"admins": [" A@example.com ", "b@example.com"]}})
    assert listed.admins == ("A@example.com", "b@example.com")
    assert read_sign_in({"auth": auth, "sop": {"admins": "a@example.com"}}).admins == (
        "a@example.com",
    )


def test_the_shipped_example_is_complete() -> None:
    text = (ROOT / ".streamlit" / "secrets.toml.example").read_text(encoding="utf-8")
    config = read_sign_in(tomllib.loads(text))
    assert config.problems == ()
    assert config.providers == (Provider("google", "Google"),)
    assert config.admins == ("it.lead@example.com",)
