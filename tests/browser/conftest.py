"""The browser harness: a served app (gunicorn, its own SQLite database, a real SMTP server)
and Debian's Chromium driven by Playwright. A test fails on any console error or CSP violation,
and on any accessibility violation axe-core finds on the pages it checks (`accessible`)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import IN_CI, TEST_LINK_KEY, test_config
from tests.support.gunicorn import Gunicorn
from tests.support.smtp import SMTPServer, free_port

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
# WCAG 2.0 and 2.1, levels A and AA, and axe's best practices: labels, heading order, colour
# contrast, landmarks and keyboard reachability among them. No rule is switched off.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# Rules that must be among those run, so that a change of axe or of the tags cannot drop them.
AXE_REQUIRED_RULES = {
    "label",
    "heading-order",
    "color-contrast",
    "scrollable-region-focusable",
    "frame-focusable-content",
    "tabindex",
    "nested-interactive",
}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


class LiveServer:
    """A running app and the SMTP server it delivers to."""

    def __init__(self, url: str, database_url: str, smtp: SMTPServer):
        self.url = url
        self.database_url = database_url
        self.smtp = smtp
        self._app = None

    def app(self):
        """Return an in-process app on the same database, for seeding and checking data."""
        if self._app is None:
            from vendorrisk import create_app

            self._app = create_app(test_config(self.database_url))
        return self._app


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    if os.environ.get("VENDORRISK_TEST_BACKEND", "sqlite") != "sqlite":
        pytest.skip("browser tests run on the SQLite pass only")
    smtp = SMTPServer()
    smtp.start()
    workdir = tmp_path_factory.mktemp("live")
    database_url = f"sqlite:///{workdir / 'live.db'}"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "live-test-secret",
        "LINK_KEY": TEST_LINK_KEY,
        "MAIL_TRANSPORT": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp.port),
        "EXTERNAL_BASE_URL": url,
        "VENDORRISK_ENV": "development",
    }
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "vendorrisk", "db", "upgrade"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    gunicorn = Gunicorn(port, env, workdir / "server.log")
    gunicorn.start()
    server = LiveServer(url, database_url, smtp)
    yield server
    gunicorn.stop()
    smtp.stop()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    )
    yield chromium
    chromium.close()
    playwright.stop()


class PageProblems:
    """Console errors, page errors and CSP violations seen by one page."""

    def __init__(self):
        self.items: list[str] = []
        self.allowed: list[str] = []

    def allow(self, fragment: str) -> None:
        """Accept console errors containing this text (e.g. a page that answers 410 on purpose)."""
        self.allowed.append(fragment)

    def unexpected(self) -> list[str]:
        return [i for i in self.items if not any(a in i for a in self.allowed)]

    def on_console(self, message):
        if message.type == "error":
            self.items.append(f"console: {message.text}")

    def on_page_error(self, error):
        self.items.append(f"page error: {error}")


WAIT_BOUND_MS = 45_000


@pytest.fixture
def page_problems():
    return PageProblems()


@pytest.fixture
def page(browser, live_server, page_problems):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    # The bound on every wait for a page, element or navigation: generous enough for a sign-in
    # (argon2) and a page build on a two-core machine running other suites beside this one.
    # Waits end as soon as their condition holds, so a quiet machine pays nothing for it.
    context.set_default_timeout(WAIT_BOUND_MS)
    pw_page = context.new_page()
    problems = page_problems
    pw_page.on("console", problems.on_console)
    pw_page.on("pageerror", problems.on_page_error)
    yield pw_page
    context.close()
    assert problems.unexpected() == [], f"browser problems: {problems.items}"


@pytest.fixture
def shoot(page, request):
    """Save a screenshot of the current page under test-artifacts/screenshots/<test>/."""
    folder = ARTIFACTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {folder}")

    def take(name: str) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    take.folder = folder  # for screenshots of another page of the same test
    return take


@pytest.fixture
def seed(live_server):
    """Run a function against the live database inside an app context and commit."""

    def run(fn, *args, **kwargs):
        from vendorrisk.extensions import db

        with live_server.app().app_context():
            result = fn(*args, **kwargs)
            db.session.commit()
            return result

    return run


def _axe_lines(label: str, violations: list[dict]) -> list[str]:
    """Describe each violation: rule, impact, what it asks, and the elements that break it."""
    lines = []
    for v in violations:
        lines.append(f"{label}: {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:8]:
            target = " ".join(str(t) for t in node["target"])
            summary = " ".join(line.strip() for line in node.get("failureSummary", "").splitlines())
            lines.append(f"    {target}: {summary}")
        if len(v["nodes"]) > 8:
            lines.append(f"    ... and {len(v['nodes']) - 8} more")
    return lines


@pytest.fixture
def accessible(page):
    """Run axe-core on the page as it is now: `accessible("review")`, or `accessible(name, other)`
    for another page. The test fails at the end, listing every violation on every page checked.

    axe is evaluated through the DevTools protocol (page.evaluate), which the app's CSP does not
    govern, so the CSP stays as strict as it is in production.
    """
    from axe_playwright_python.base import AXE_SCRIPT

    found: list[str] = []
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}

    def check(label: str, target=None) -> list[dict]:
        target = target or page
        target.wait_for_load_state()
        if not target.evaluate("typeof window.axe !== 'undefined'"):
            target.evaluate(AXE_SCRIPT)
        results = target.evaluate("options => axe.run(document, options)", options)
        ran = {
            r["id"]
            for kind in ("passes", "violations", "incomplete", "inapplicable")
            for r in results[kind]
        }
        assert AXE_REQUIRED_RULES <= ran, f"axe did not run {AXE_REQUIRED_RULES - ran}"
        violations = results["violations"]
        found.extend(_axe_lines(f"{label} ({target.url})", violations))
        return violations

    yield check
    if found:
        pytest.fail("accessibility violations:\n" + "\n".join(found), pytrace=False)
