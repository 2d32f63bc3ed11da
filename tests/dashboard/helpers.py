"""Helpers for the dashboard tests: a small portfolio built through the real services."""

import re
from datetime import date, timedelta
from html.parser import HTMLParser

from tests.support.factories import SMALL_TEMPLATE
from vendorrisk.campaigns.models import Assignment, Campaign
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.portal import services as portal
from vendorrisk.questionnaires.answers import Answer
from vendorrisk.review import services as review

BASELINE_TEMPLATE = SMALL_TEMPLATE.replace(
    "id: connector-breach-check\nkind: incident\ntitle: Connector breach check",
    "id: connector-baseline\nkind: baseline\ntitle: Connector baseline",
)
assert "kind: baseline" in BASELINE_TEMPLATE

# Answers that raise no finding: not exposed to the connector, notification within a day
# (incident readiness 100, no certificate-rotation score: that section is hidden).
CLEAN = {
    "uses_connector": Answer("no"),
    "data_accessed": Answer("no"),
    "notify_hours": Answer(12),
    "soc2_report": Answer(None, na=True, comment="No external audit yet."),
}
# The same, saying our data was accessed: an impact signal.
IMPACT = {**CLEAN, "data_accessed": Answer("yes")}


def answers(notify_hours: int, rotated: bool | None = None, data_accessed: bool = False) -> dict:
    """Answers giving chosen scores: notify <= 24 h scores 100, <= 72 h 60, else 0."""
    out = {
        **CLEAN,
        "notify_hours": Answer(notify_hours),
        "data_accessed": Answer("yes" if data_accessed else "no"),
    }
    if rotated is not None:
        out["uses_connector"] = Answer("yes")
        out["rotated"] = Answer("yes" if rotated else "no")
        out["credentials_reset"] = Answer("some")
        if rotated:
            out["rotated_on"] = Answer(date(2021, 1, 14))
    return out


def submit(assignment: Assignment, given: dict):
    """Save answers as the vendor would and submit them with an attestation."""
    recipient = assignment.recipients[0]
    response = assignment.response
    portal.save_answers(response, recipient, list(given), given, response.version)
    db.session.flush()
    revision = portal.submit(
        assignment, recipient, name="Pat Doe", title="CISO", expected_version=response.version
    )
    db.session.flush()
    return revision


def past_due(campaign: Campaign, days: int = 3) -> None:
    """Move a campaign's due time into the past (creation refuses a past due date)."""
    campaign.due_date = date.today() - timedelta(days=days)
    campaign.due_at = utcnow() - timedelta(days=days)
    db.session.flush()


def decide(assignment, reviewer, decision=review.ACCEPTED, note=None):
    """Record a review decision on the assignment's latest submission."""
    review.decide(assignment, reviewer, decision, note)
    db.session.flush()


class _NumberLinks(HTMLParser):
    """Collect the dashboard's linked numbers: (visually hidden label, number, href)."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, int, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "dash-num" in (attrs.get("class") or "").split():
            self._href, self._text = attrs["href"], []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            number, _, label = "".join(self._text).strip().partition(" ")
            self.found.append((label.strip(), int(number.replace(",", "")), self._href))
            self._href = None


def number_links(html: str) -> dict[str, tuple[int, str]]:
    """Map each linked number's label to (number, href) on a dashboard page."""
    parser = _NumberLinks()
    parser.feed(html)
    return {label: (number, href) for label, number, href in parser.found}


def list_total(html: str) -> int:
    """Read the total a list page states ("12 findings", "3 vendors", "2 questionnaires")."""
    match = re.search(r"(\d+) (?:findings|vendors?|questionnaires?|answers?)\b", html)
    assert match, html[:2000]
    return int(match.group(1))
