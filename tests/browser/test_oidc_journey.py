"""An officer signs in with the council's account at its provider's own page (a real
OpenID Connect provider on loopback), records an update on an action they lead, and signs
out of careprog and the provider. axe and the Nu checker judge careprog's pages; the
provider's pages are not ours to judge."""

import re

import pytest
from playwright.sync_api import expect

from actions.models import Update
from careprog.models import OIDCIdentity
from tests.browser.conftest import assert_no_axe_violations
from tests.conftest import RISK_MATRIX, seed_action
from tests.oidc_provider import OFFICERS_GROUP, PROVIDER_NAME

pytestmark = pytest.mark.browser

SAVED = "Your update for 2024-25 Q4 has been saved."


def at(origin, path):
    """The provider's page at `path`, whatever its query string."""
    return re.compile(re.escape(f"{origin}{path}") + r"(\?.*)?$")


def test_an_officer_signs_in_with_the_councils_account_records_an_update_and_signs_out(
    transactional_db, live_server, page, single_sign_on, officer_actions, officer
):
    action = seed_action(RISK_MATRIX)
    sub = single_sign_on.new_person(
        email=officer.email,
        email_verified=True,
        given_name="Olive",
        family_name="Lead",
        groups=[OFFICERS_GROUP],
    )

    page.goto(f"{live_server.url}/sign-in/")
    button = page.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}")
    expect(button).to_be_visible()
    assert_no_axe_violations(page)

    button.click()
    expect(page).to_have_url(at(single_sign_on.issuer, "/oauth2/authorize"))
    page.get_by_placeholder("sub").fill(sub)
    with page.expect_navigation(url=f"{live_server.url}/"):
        page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert_no_axe_violations(page)
    assert OIDCIdentity.objects.get(subject=sub).user == officer

    page.goto(f"{live_server.url}/actions/{action.pk}/")
    page.get_by_role("radio", name="On track", exact=True).check()
    page.get_by_label("Update", exact=True).fill("Risk matrix agreed by all team managers")
    with page.expect_navigation():
        page.get_by_role("button", name="Save update").click()
    expect(page.get_by_role("alert")).to_contain_text(SAVED)
    assert_no_axe_violations(page)
    assert Update.objects.filter(
        action=action, text="Risk matrix agreed by all team managers"
    ).exists()

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(at(single_sign_on.issuer, "/oauth2/end_session"))
    with page.expect_navigation(url=f"{live_server.url}/sign-in/"):
        page.get_by_role("button", name="End session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert_no_axe_violations(page)

    page.goto(f"{live_server.url}/actions/{action.pk}/")
    expect(page).to_have_url(f"{live_server.url}/sign-in/?next=/actions/{action.pk}/")


def test_with_passwords_off_the_sign_in_page_and_the_refusal_page_are_clear_and_accessible(
    transactional_db, live_server, page, provider_only, superuser
):
    page.goto(f"{live_server.url}/sign-in/")
    expect(page.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}")).to_be_visible()
    expect(page.get_by_label("Password")).to_have_count(0)
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Emergency sign-in with a password").click()
    expect(page.get_by_label("Password")).to_be_visible()
    assert_no_axe_violations(page)

    page.goto(f"{live_server.url}/oidc/callback/?code=forged&state=forged")
    expect(page.get_by_role("heading", level=1)).to_have_text("You have not been signed in")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Go back to sign in").click()
    expect(page).to_have_url(f"{live_server.url}/sign-in/")
