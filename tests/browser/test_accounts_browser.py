"""Signing in, signing out and resetting a password in a real browser."""

import re

from tests.conftest import PASSWORD, links_in, make_user
from tests.support.smtp import SMTPServer


def _new_user(seed, role="manager"):
    return seed(lambda: (lambda u: (u.email, u.name))(make_user(role)))


def test_a_manager_signs_in_and_out(page, seed, shoot, accessible):
    email, name = _new_user(seed)
    page.goto("/login")
    shoot("login")
    accessible("login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/$"))
    # A vendor manager's home page is the portfolio dashboard.
    assert page.get_by_role("heading", name="Portfolio dashboard").is_visible()
    assert page.get_by_text(f"Welcome, {name}").is_visible()
    shoot("home")
    accessible("home")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r".*/login"))
    assert page.get_by_text("You are signed out.").is_visible()
    page.goto("/audit/")
    assert "/login" in page.url


def test_a_wrong_password_is_explained_beside_the_field(page, seed, accessible):
    email, _ = _new_user(seed)
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_text("The e-mail address or the password is not correct.").is_visible()
    accessible("login-error")


def test_a_forgotten_password_is_reset_from_the_email(
    page, seed, live_server, shoot, accessible, page_problems
):
    email, _ = _new_user(seed)
    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("E-mail").fill(email)
    page.get_by_role("button", name="Send the link").click()
    assert page.get_by_text("a reset link is on its way").is_visible()
    message = live_server.smtp.wait_for(lambda m: m["To"] == email)
    link = next(u for u in links_in(SMTPServer.text_of(message)) if "/password/reset/" in u)
    page.goto(link)
    shoot("reset")
    accessible("reset")
    new_password = "a-brand-new-Passphrase-42"
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_label("Repeat the new password").fill(new_password)
    page.get_by_role("button", name="Set the password").click()
    assert page.get_by_text("Your password is changed.").is_visible()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(new_password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/$"))
    page_problems.allow("status of 410")
    page.goto(link)
    assert page.get_by_text("This reset link is no longer valid").is_visible()
