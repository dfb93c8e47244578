"""Who is using this session: the signed-in person, or the one local user.

Sign-in is configured when `.streamlit/secrets.toml` has an `[auth]` section
(Streamlit's `st.login`, OpenID Connect: one provider in `[auth]` itself, or named
providers `[auth.google]`, `[auth.microsoft]`...; docs/security.md). Then `gate()`,
which app.py calls on every run, shows nothing but the sign-in screen until the
person has signed in; afterwards it records them in the store once per session
(`sop.store.users.signed_in`: a first sign-in is a viewer, the `[sop] admins`
addresses are admins), reads their roles from the store on every run (a role an
admin gives applies at the next click) and keeps the `Actor` in the session (`ACTOR`).

Without `[auth]` the app is for one person on localhost, as before sign-in existed:
`current_actor()` is `Actor.local_user()`, who holds every role, and the sidebar says
so. `current_actor()` is what `sop.ui.readers.store()` binds every write to; a
session that has not been through the gate while sign-in is configured acts as
nobody (no role), never as the local user.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NoReturn
from urllib.parse import urlparse

import streamlit as st

from sop.core.access import Actor
from sop.scenario.wording import escape_md
from sop.store import Store, StoreError, users

ACTOR = "_sop_actor"
SEEN = "_sop_signed_in"  # the e-mail address recorded by users.signed_in in this session
SECURITY_DOC = "docs/security.md"
SCOPE = "openid email profile"
NOBODY = Actor(email="not-signed-in", name="Not signed in")

# what Streamlit needs in [auth] itself, and for each provider (streamlit.auth_util)
SHARED_KEYS = ("redirect_uri", "cookie_secret")
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
# a sub-table of [auth] that is a setting, not a named provider
NOT_PROVIDERS = {"client_kwargs"}
NAMES = {
    "google": "Google",
    "microsoft": "Microsoft",
    "entra": "Microsoft Entra ID",
    "azure": "Microsoft Entra ID",
    "okta": "Okta",
    "keycloak": "Keycloak",
    "auth0": "Auth0",
}
HOSTS = {
    "accounts.google.com": "Google",
    "login.microsoftonline.com": "Microsoft",
    "okta.com": "Okta",
    "auth0.com": "Auth0",
}


@dataclass(frozen=True)
class Provider:
    """One way to sign in: `name` for `st.login` (None: the provider set in `[auth]`
    itself), `label` for the button."""

    name: str | None
    label: str


@dataclass(frozen=True)
class SignIn:
    """The sign-in configuration read from the secrets: the providers, what is wrong
    with it (empty when it can work), the addresses that are admins on their first
    sign-in (`[sop] admins`)."""

    providers: tuple[Provider, ...]
    problems: tuple[str, ...]
    admins: tuple[str, ...]


def _label(name: str | None, section: Mapping) -> str:
    """The provider's name for a person: a known section name, else the identity
    provider's host (from `server_metadata_url`)."""
    if name and name.lower() in NAMES:
        return NAMES[name.lower()]
    host = urlparse(str(section.get("server_metadata_url", ""))).hostname or ""
    for known, label in HOSTS.items():
        if host == known or host.endswith("." + known):
            return label
    if name:
        return name.replace("-", " ").title()
    return host or "your organisation's account"


def _missing(section: Mapping, keys: tuple[str, ...]) -> list[str]:
    return [k for k in keys if not str(section.get(k, "") or "").strip()]


def read_sign_in(secrets: Mapping) -> SignIn | None:
    """The sign-in configured in `secrets` (the parsed secrets.toml), or None when
    there is no `[auth]` section: the single-user app."""
    auth = secrets.get("auth")
    if auth is None:
        return None
    problems: list[str] = []
    if not isinstance(auth, Mapping):
        return SignIn((), ("`auth` must be a section: `[auth]`",), ())
    missing = _missing(auth, SHARED_KEYS)
    if missing:
        problems.append(f"[auth] has no {', '.join(missing)}")
    redirect = str(auth.get("redirect_uri", "") or "")
    if redirect and not redirect.rstrip("/").endswith("/oauth2callback"):
        problems.append(
            f"[auth] redirect_uri {redirect!r} must end with /oauth2callback "
            "(for example https://sop.example.com/oauth2callback)"
        )
    providers: list[Provider] = []
    if any(k in auth for k in PROVIDER_KEYS):
        missing = _missing(auth, PROVIDER_KEYS)
        if missing:
            problems.append(f"[auth] has no {', '.join(missing)}")
        providers.append(Provider(None, _label(None, auth)))
    for name, section in auth.items():
        if not isinstance(section, Mapping) or name in NOT_PROVIDERS:
            continue
        if "_" in name:
            problems.append(f"[auth.{name}]: a provider's name may not contain '_'")
            continue
        missing = _missing(section, PROVIDER_KEYS)
        if missing:
            problems.append(f"[auth.{name}] has no {', '.join(missing)}")
        providers.append(Provider(name, _label(name, section)))
    if not providers:
        problems.append(
            "[auth] names no identity provider: give client_id, client_secret and "
            "server_metadata_url in [auth], or in a section such as [auth.google]"
        )
    sop = secrets.get("sop")
    admins = sop.get("admins", ()) if isinstance(sop, Mapping) else ()
    if isinstance(admins, str):
        admins = [admins]
    return SignIn(tuple(providers), tuple(problems), tuple(str(a).strip() for a in admins))


class SecretsUnreadable(RuntimeError):
    """`.streamlit/secrets.toml` exists but cannot be read (the message says where)."""


def _secrets() -> Mapping:
    """The app's secrets; {} when there is no secrets file. Looked up on `st` at each
    call: AppTest replaces `st.secrets` for a test's run."""
    try:
        return {k: st.secrets[k] for k in st.secrets}
    except FileNotFoundError as exc:  # StreamlitSecretNotFoundError
        if getattr(exc, "error_id", "") == "no-secrets-found":
            return {}
        raise SecretsUnreadable(str(exc)) from exc


def sign_in() -> SignIn | None:
    """The sign-in configured for this app (None: single-user mode). SecretsUnreadable
    when the secrets file is broken: the app must not fall back to single-user mode."""
    return read_sign_in(_secrets())


def current_actor() -> Actor:
    """The person this session acts as."""
    actor = st.session_state.get(ACTOR)
    if isinstance(actor, Actor):
        return actor
    try:
        configured = sign_in() is not None
    except SecretsUnreadable:
        configured = True
    return NOBODY if configured else Actor.local_user()


def _claim(name: str) -> str:
    value = st.user.get(name)
    return value.strip() if isinstance(value, str) else ""


def _alone(screen) -> NoReturn:
    """Show `screen` as the only page of the app (any address), then stop the run."""
    page = st.Page(screen, title="Sign in", url_path="signin", default=True)
    st.navigation([page], position="hidden").run()
    st.stop()
    raise AssertionError("st.stop() returned")  # it raises: the run ends here


def gate() -> Actor:
    """Who uses this session; app.py calls it before its navigation on every run. When
    sign-in is configured, a person who has not signed in (or whose provider sent no
    e-mail address) sees only the sign-in screen: the run stops here."""
    try:
        config = sign_in()
    except SecretsUnreadable as exc:
        unreadable = [str(exc)]
        _alone(lambda: _broken(unreadable))
    if config is None:
        _forget()
        return Actor.local_user()
    if config.problems:
        _forget()
        _alone(lambda: _broken(list(config.problems)))
    if not st.user.get("is_logged_in"):
        _forget()
        _alone(lambda: _sign_in_screen(config))
    if not _claim("email"):
        _forget()
        _alone(_no_email)
    if st.user.get("email_verified") in (False, "false"):
        _forget()
        _alone(_unverified)
    try:
        actor = _signed_in(config)
    except StoreError as exc:
        _forget()
        failure = str(exc)
        _alone(lambda: _store_failed(failure))
    st.session_state[ACTOR] = actor
    return actor


def _forget() -> None:
    """No signed-in person in this session (any write acts as `NOBODY` or the local user)."""
    st.session_state.pop(ACTOR, None)
    st.session_state.pop(SEEN, None)


def _signed_in(config: SignIn) -> Actor:
    """The signed-in person with the roles the store gives them now; recorded in the
    store (first sign-in, name, time seen) once per session."""
    store = Store()
    email = users.checked_email(_claim("email"))
    previous = st.session_state.get(ACTOR)
    if st.session_state.get(SEEN) == email and isinstance(previous, Actor):
        return Actor(email=email, name=previous.name, roles=users.roles_of(store, email))
    name = _claim("name") or _claim("preferred_username") or email
    actor = users.signed_in(store, email, name, bootstrap=config.admins)
    st.session_state[SEEN] = email
    return actor


def _sign_in_screen(config: SignIn) -> None:
    st.title("S&OP Studio")
    st.markdown(
        "The monthly Sales & Operations Planning cycle in one place: the data, the demand "
        "forecast, the supply plan, the scenarios for the meeting, the executive decisions "
        "and the finance view."
    )
    st.markdown(
        "Sign in with your organisation's account. The first time, you can read every "
        "page and change nothing: an admin of S&OP Studio gives you your role."
    )
    for p in config.providers:
        if st.button(
            f"Sign in with {p.label}", key=f"auth_login_{p.name or 'default'}", type="primary"
        ):
            st.login(p.name)


def _broken(problems: list[str]) -> None:
    st.title("S&OP Studio")
    st.error(
        "Sign-in is set up in `.streamlit/secrets.toml` but cannot work:\n"
        + "\n".join(f"- {escape_md(p)}" for p in problems)
        + f"\n\nCorrect the file and restart the app; `{SECURITY_DOC}` says step by step "
        "what each setting is. The app does not open without sign-in while `[auth]` is there.",
        icon=":material/error:",
    )


def _sign_out_button(key: str) -> None:
    if st.button("Sign out", key=key):
        _forget()
        st.logout()


def _no_email() -> None:
    st.title("S&OP Studio")
    st.error(
        "Your identity provider signed you in but sent no e-mail address, and S&OP Studio "
        "gives roles by e-mail address. Ask whoever set up sign-in to request the scope "
        f'"{SCOPE}" (Streamlit\'s default; `client_kwargs = {{ scope = "{SCOPE}" }}` in '
        "the provider's section of `.streamlit/secrets.toml`) and to have the provider "
        "release the `email` claim (Microsoft Entra ID: add the optional claim `email` "
        f"to the ID token). See `{SECURITY_DOC}`.",
        icon=":material/error:",
    )
    _sign_out_button("auth_sign_out_no_email")


def _unverified() -> None:
    st.title("S&OP Studio")
    st.error(
        f"Your identity provider says that the address {escape_md(_claim('email'))} is not "
        "verified, so it cannot stand for you here. Verify it with your identity provider, "
        "then sign in again.",
        icon=":material/error:",
    )
    _sign_out_button("auth_sign_out_unverified")


def _store_failed(message: str) -> None:
    st.title("S&OP Studio")
    st.error(
        f"You are signed in, but the store could not record it: {escape_md(message)}",
        icon=":material/error:",
    )
    _sign_out_button("auth_sign_out_store")


def sidebar() -> None:
    """Who is acting, in the sidebar: the signed-in person and their roles with a
    "Sign out" button, or the single-user note."""
    actor = current_actor()
    if actor.local:
        st.caption(
            "Single-user mode: sign-in is not configured; changes are recorded as "
            f"**{escape_md(actor.signature)}**. To sign in a team, see `{SECURITY_DOC}`."
        )
        return
    st.caption(f"Signed in as **{escape_md(actor.name)}** · {escape_md(actor.role_names())}")
    _sign_out_button("auth_sign_out")
