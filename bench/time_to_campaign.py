"""From nothing to a breach questionnaire in a vendor's inbox, through the composer's pages.

    .venv/bin/python bench/time_to_campaign.py

A scripted manager starts a draft, edits two questions and a condition, previews and scores
it, submits it; a second manager approves it; the first launches a campaign; the outbox sends
the invitation to a local SMTP server and the vendor opens the link. Every request is one
click (a page opened or a form sent), the way a person would go. The seconds are the
software's share of the journey; a person adds their reading and typing.

Prints `name: value unit` lines.
"""

import os
import re
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.smtp import SMTPServer  # noqa: E402


class Clicks:
    """A signed-in browser stand-in that counts every request as one click."""

    def __init__(self, client):
        self.client = client
        self.count = 0

    def get(self, url: str):
        self.count += 1
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    def post(self, url: str, data: dict, expect: int = 303):
        self.count += 1
        response = self.client.post(url, data=data)
        assert response.status_code in (expect, 302), (url, response.status_code)
        return response


def _lock(html: str) -> str:
    return re.search(r'name="lock_version" value="(\d+)"', html).group(1)


def main() -> None:
    server = SMTPServer()
    server.start()
    workdir = Path(tempfile.mkdtemp(prefix="vr-bench-ttc-"))
    os.environ.pop("DATABASE_URL", None)

    from flask_migrate import upgrade

    from tests.conftest import PASSWORD, CSRFClient, make_user, test_config
    from tests.support.factories import make_vendor
    from vendorrisk import create_app
    from vendorrisk.extensions import db
    from vendorrisk.mail import services as outbox

    app = create_app(test_config(f"sqlite:///{workdir / 'bench.db'}", MAIL_PORT=server.port))
    app.test_client_class = CSRFClient
    with app.app_context():
        upgrade(revision="heads")
        author, approver = make_user("manager"), make_user("manager")
        vendor = make_vendor()
        logins = [(author.email, author.id), (approver.email, approver.id)]
        vendor_id = vendor.id
        db.session.commit()

    clients = []
    for email, _ in logins:
        client = app.test_client()
        assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
        clients.append(Clicks(client))
    me, second = clients

    started = time.perf_counter()
    me.get("/templates/drafts/")
    draft_url = me.post(
        "/templates/drafts/new",
        {"slug": "acme-sync-breach", "title": "Acme Sync breach", "kind": "incident"},
    ).location
    draft_id = draft_url.rstrip("/").rsplit("/", 1)[-1]
    page = me.get(draft_url).text
    edits = [
        {"op": "edit_question", "question": "q1", "text": "Did you use Acme Sync in 2026?"},
        {"op": "edit_question", "question": "q2", "text": "Have you rotated the Acme keys?"},
        {"op": "set_show_if", "question": "q2", "when": "q1", "operator": "in", "values": "yes"},
    ]
    for edit in edits:
        me.post(f"/templates/drafts/{draft_id}/edit", {**edit, "lock_version": _lock(page)})
        page = me.get(draft_url).text
    me.get(f"/templates/drafts/{draft_id}/preview")
    me.post(f"/templates/drafts/{draft_id}/preview", {"q-q1": "yes", "q-q2": "yes"}, expect=200)
    version_url = me.post(
        f"/templates/drafts/{draft_id}/submit", {"op": "submit", "lock_version": _lock(page)}
    ).location
    version_id = version_url.rstrip("/").rsplit("/", 1)[-1]

    second.get(version_url)
    second.post(f"/templates/versions/{version_id}/approve", {}, expect=302)

    launch = {
        "name": "Acme Sync breach",
        "template_version": version_id,
        "vendors": [str(vendor_id)],
        "due_date": (date.today() + timedelta(days=7)).isoformat(),
        "timezone": "UTC",
    }
    me.get("/campaigns/new")
    me.post("/campaigns/new/preview", launch, expect=200)
    me.post("/campaigns/new/send", launch, expect=302)

    with app.app_context():
        while outbox.send_pending().claimed:
            pass
    message = server.wait_for(lambda m: "Acme Sync breach" in str(m["Subject"]), timeout=30)
    body = server.text_of(message)
    link = next(word for word in body.split() if word.startswith("http://vendorrisk.test/"))
    vendor_browser = Clicks(app.test_client())
    opened = vendor_browser.get(link.removeprefix("http://vendorrisk.test"))
    assert "Acme Sync breach" in opened.text, "the vendor's link does not show the questionnaire"
    seconds = time.perf_counter() - started
    server.stop()

    print(f"time_to_campaign clicks: {me.count + second.count + vendor_browser.count}")
    print(f"time_to_campaign seconds: {seconds:.2f} s")


if __name__ == "__main__":
    main()
