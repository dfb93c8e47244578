"""Sign-in through a real OpenID Connect provider, in Chromium: `oidc-provider-mock`
(started here, on a free port) is the organisation's identity provider, the app runs with
a secrets file whose `[auth]` points at it, and people sign in through the provider's
form. An unknown person arrives as a viewer; each role sees exactly the write controls
its role allows (`sop.core.access.ALLOWED`, every cell of the role x action table) and
the refusal note in place of the others; what they write carries their signature."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import new_context, serve_app
from screens import settle
from tiny import free_port

from sop.core import access
from sop.store import Store, users

PROVIDER = "mock"  # the [auth.mock] section: the button says "Sign in with Mock"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """The identity provider's base URL (a real OpenID Connect server in this process)."""
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


def put_user(provider: str, email: str, name: str, **claims) -> None:
    """The provider's claims for `email` (its subject): what the ID token will say."""
    put_claims(provider, email, {"email": email, "name": name, "email_verified": True, **claims})


def put_claims(provider: str, sub: str, claims: dict) -> None:
    """Exactly `claims` for the subject `sub` (`PUT /users/{sub}` of the mock)."""
    body = json.dumps(claims)
    request = urllib.request.Request(
        f"{provider}/users/{quote(sub)}",
        data=body.encode(),
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as r:
        assert r.status in (200, 204), r.status


@pytest.fixture(scope="module")
def signin_store(demo_forecast: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of this module's own: the demo with its forecast (copied, so the records
    written here stay out of the other browser tests' store)."""
    path = tmp_path_factory.mktemp("signin") / "signin.duckdb"
    shutil.copy(demo_forecast, path)
    return path


@pytest.fixture(scope="module")
def signin_app(signin_store: Path, provider: str, tmp_path_factory) -> Iterator[str]:
    """The app served with sign-in configured against `provider`; its base URL (on
    localhost, the host the redirect URI names: the sign-in cookie is per host)."""
    port = free_port()
    secrets_file = tmp_path_factory.mktemp("secrets") / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        f"[auth.{PROVIDER}]\n"
        'client_id = "sop-studio"\n'
        'client_secret = "not-checked-by-the-mock"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    with serve_app(signin_store, port=port, args=["--secrets.files", str(secrets_file)]):
        yield f"http://localhost:{port}"


def sign_in(page, url: str, email: str, signed_in: bool = True) -> None:
    """Open the app, click "Sign in with Mock" and sign in on the provider's form as
    `email`; returns once the app shows who is signed in (`signed_in`), else once the
    provider has sent the browser back to the app."""
    page.goto(url)
    page.get_by_role("button", name="Sign in with Mock").click(timeout=90_000)
    page.get_by_placeholder("sub").fill(email, timeout=30_000)
    page.get_by_role("button", name="Authorize").click()
    if signed_in:
        sidebar(page).get_by_text("Signed in as").wait_for(timeout=90_000)
    else:
        page.wait_for_url(f"{url}/**", timeout=90_000)
    settle(page)


def sidebar(page):
    return page.locator('[data-testid="stSidebar"]')


def test_sign_in_screen_then_an_unknown_person_is_a_viewer(
    signin_app: str, signin_store: Path, provider: str, browser_page
) -> None:
    page = browser_page
    page.goto(signin_app)
    page.get_by_role("button", name="Sign in with Mock").wait_for(timeout=90_000)
    # nothing of the app before signing in: no page, no company, no navigation
    assert page.get_by_text("Northwind").count() == 0
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    page.goto(f"{signin_app}/finance")
    page.get_by_role("button", name="Sign in with Mock").wait_for(timeout=90_000)
    assert page.get_by_role("heading", name="Finance").count() == 0

    put_user(provider, "newcomer@example.com", "Nora <b>New</b> *comer*")
    sign_in(page, signin_app, "newcomer@example.com")
    text = sidebar(page).inner_text()
    assert "Signed in as Nora <b>New</b> *comer* · viewer" in text
    assert users.roles_of(Store(signin_store), "newcomer@example.com") == frozenset()
    people = users.people(Store(signin_store)).set_index("email")
    assert people.at["newcomer@example.com", "name"] == "Nora <b>New</b> *comer*"

    # sign out: through the provider's end-session page, back to the sign-in screen
    sidebar(page).get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="End session").click(timeout=30_000)
    page.get_by_role("button", name="Sign in with Mock").wait_for(timeout=90_000)
    assert page.get_by_text("Signed in as").count() == 0


def test_a_sign_in_without_an_email_claim_is_refused(
    signin_app: str, signin_store: Path, provider: str, browser_page
) -> None:
    put_claims(provider, "subject-without-mail", {"name": "No Mail"})
    page = browser_page
    sign_in(page, signin_app, "subject-without-mail", signed_in=False)
    page.get_by_text("sent no e-mail address").wait_for(timeout=90_000)
    assert page.get_by_text('"openid email profile"').first.is_visible()
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    assert "No Mail" not in set(users.people(Store(signin_store))["name"])
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="End session").click(timeout=30_000)
    page.get_by_role("button", name="Sign in with Mock").wait_for(timeout=90_000)


# --- the role x action table ---------------------------------------------------------------
@dataclass(frozen=True)
class Control:
    """Where an action's write control is: the sidebar link, the page's heading, what to
    open first (("expand", a pattern of its title), ("tab", name), ("family", name)) and
    the button's label (a pattern: some labels name the cycle or say "Refit" once fitted)."""

    link: str
    heading: str
    label: str
    reveal: tuple[tuple[str, str], ...] = ()


CONTROLS = {
    access.FORECAST: Control(
        "Demand",
        "Demand planning",
        r"(Run|Refit) (the )?forecast",
        (("expand", "Statistical forecast: settings and refresh"),),
    ),
    access.OVERRIDE: Control(
        "Demand", "Demand planning", r"Save override", (("family", "Garden"),)
    ),
    access.PLAN_SETTINGS: Control(
        "Supply",
        "Supply planning",
        r"Use these settings on every page",
        (("expand", r"Plan settings"),),
    ),
    access.FINANCE_SETTINGS: Control(
        "Finance", "Finance", r"Save finance settings", (("expand", "Finance settings"),)
    ),
    access.BUDGET: Control("Finance", "Finance", r"Load budget", (("expand", r"\bbudget\b"),)),
    access.SCENARIO: Control("Scenarios", "Scenarios", r"Save scenario", (("tab", "Save"),)),
    access.ACTION_ITEM: Control("Decisions", "Decisions", r"Add to the log"),
    access.APPROVE: Control("Decisions", "Decisions", r"Approve for the .+ cycle"),
    access.LOAD: Control("Data", "Data gathering", r"Validate and load", (("tab", "Load data"),)),
    access.COMMENT: Control("Executive", "Executive S&OP", r"Post comment"),
    access.USERS: Control("Admin", "Admin", r"Save roles"),
}


def email_of(role: str) -> str:
    return f"{role.replace('_', '.')}@example.com"


def name_of(role: str) -> str:
    return f"{role.replace('_', ' ').title()} Tester"


def signature(role: str) -> str:
    return f"{name_of(role)} <{email_of(role)}>"


def main(page):
    return page.locator('[data-testid="stMainBlockContainer"]')


def go_to(page, control: Control) -> None:
    """Open the control's page from the sidebar (the same session) and wait for it."""
    heading = main(page).get_by_role("heading", name=control.heading, exact=True)
    if heading.count() == 0:
        sidebar(page).get_by_role("link", name=control.link, exact=True).click()
        heading.first.wait_for(timeout=90_000)
    settle(page)


def reveal(page, control: Control) -> None:
    for kind, what in control.reveal:
        if kind == "expand":
            details = main(page).locator('[data-testid="stExpander"] details')
            title = page.locator("summary", has_text=re.compile(what, re.IGNORECASE))
            details = details.filter(has=title).first
            if not details.evaluate("d => d.open"):
                details.locator("summary").click()
        elif kind == "tab":
            main(page).get_by_role("tab", name=what, exact=True).click()
        elif kind == "family":
            main(page).get_by_role("combobox", name="Family").click()
            page.get_by_role("option", name=what, exact=True).click()
        settle(page)


def button(page, label: str):
    # the text after the button's icon (a Material icon's name is text too: "sendPost comment")
    pattern = re.compile(rf"{label}$")
    return main(page).locator('button[data-testid^="stBaseButton"]').filter(has_text=pattern)


def refusal(page, action: str):
    note = f"may not {access.ACTIONS[action]}:"
    return main(page).locator('[data-testid="stAlertContentInfo"]').filter(has_text=note)


def check_cell(page, role: str, action: str, shots: Path) -> str | None:
    """None when the page shows what `role` may do about `action`; else what is wrong
    (with a screenshot in `shots`)."""
    control = CONTROLS[action]
    go_to(page, control)
    reveal(page, control)
    shown, refused = button(page, control.label), refusal(page, action)
    try:
        shown.or_(refused).first.wait_for(timeout=60_000)
    except Exception:  # noqa: BLE001 - reported as a failed cell below
        page.screenshot(path=str(shots / f"signin-{role}-{action}.png"), full_page=True)
        return f"{role} x {action}: neither the control nor the refusal note is on the page"
    allowed = action in access.ALLOWED[role]
    if allowed and (shown.count() == 0 or refused.count() > 0):
        return f"{role} x {action}: allowed, but the control is missing or refused"
    if not allowed and (shown.count() > 0 or refused.count() == 0):
        return f"{role} x {action}: denied, but the control shows or the note is missing"
    return None


def latest(store: Path, sql: str, params: list, timeout: float = 60.0) -> tuple:
    """The first row `sql` returns, waiting until the app has written it."""
    deadline = time.monotonic() + timeout
    while True:
        with Store(store).connect() as con:
            row = con.execute(sql, params).fetchone()
        if row is not None or time.monotonic() > deadline:
            assert row is not None, f"no row for {sql} {params}"
            return row
        time.sleep(0.5)


def write_as(page, role: str, store: Path) -> None:
    """Use one control the role allows and check the record carries the signature."""
    if role == access.DEMAND_PLANNER:
        go_to(page, CONTROLS[access.OVERRIDE])
        reveal(page, CONTROLS[access.OVERRIDE])
        main(page).get_by_text("New quantity (units/month)").click()
        # each value committed (Tab) and its run ended before the click (see settle)
        main(page).get_by_role("spinbutton", name="Value").fill("4321")
        page.keyboard.press("Tab")
        settle(page)
        main(page).get_by_role("textbox", name="Reason").fill("signed-in override")
        page.keyboard.press("Tab")
        settle(page)
        button(page, "Save override").click()
        sql = "SELECT author FROM overrides WHERE reason = ?"
        assert latest(store, sql, ["signed-in override"])[0] == signature(role)
    elif role == access.SOP_OWNER:
        go_to(page, CONTROLS[access.SCENARIO])
        reveal(page, CONTROLS[access.SCENARIO])
        main(page).get_by_role("textbox", name="Scenario name").fill("Owner's pick")
        button(page, "Save scenario").click()
        sql = "SELECT author FROM scenarios WHERE name = ?"
        assert latest(store, sql, ["Owner's pick"])[0] == signature(role)
    elif role == access.EXECUTIVE:
        go_to(page, CONTROLS[access.APPROVE])
        main(page).get_by_role("textbox", name="Note").fill("approved after sign-in")
        button(page, CONTROLS[access.APPROVE].label).click()
        sql = "SELECT author, kind FROM decision_log WHERE note = ?"
        assert latest(store, sql, ["approved after sign-in"]) == (signature(role), "approve")
    else:
        go_to(page, CONTROLS[access.COMMENT])
        body = f"a comment from the {role}"
        # the first comment on the risk starts its thread; the next ones reply to it
        box = main(page).get_by_role("textbox", name=re.compile("^(Comment on|Reply)"))
        box.first.fill(body)
        button(page, "Post comment").first.click()
        sql = "SELECT author FROM comments WHERE body = ?"
        assert latest(store, sql, [body])[0] == signature(role)


@pytest.mark.parametrize("role", list(access.ROLES))
def test_each_role_sees_exactly_its_controls(
    role: str, signin_app: str, signin_store: Path, provider: str, _browser, screenshots: Path
) -> None:
    """Every cell of the role x action table for one person per role, signed in through
    the provider; then one write of theirs, whose record carries their signature."""
    email = email_of(role)
    put_user(provider, email, name_of(role))
    roles = set() if role == access.VIEWER else {role}
    users.set_roles(Store(signin_store), email, roles)
    context = new_context(_browser, viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    try:
        sign_in(page, signin_app, email)
        words = role.replace("_", " ")
        assert f"Signed in as {name_of(role)} · {words}" in sidebar(page).inner_text()
        wrong = [
            problem
            for action in CONTROLS  # grouped by page: each page is opened once
            if (problem := check_cell(page, role, action, screenshots))
        ]
        assert not wrong, "\n".join(wrong)
        if role != access.VIEWER:
            write_as(page, role, signin_store)
    finally:
        context.close()
