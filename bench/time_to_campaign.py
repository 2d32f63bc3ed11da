"""From an advisory in the library to a breach questionnaire in a vendor's inbox.

    .venv/bin/python bench/time_to_campaign.py

A scripted manager picks an advisory from the library (the shipped MOVEit advisory, loaded by
the sync), drafts a questionnaire from it, edits two questions and a condition in the composer,
previews and scores it, submits it; a second manager approves it; the first launches the
campaign from the advisory; the outbox sends the invitation to a local SMTP server and the
vendor opens the link. Every request is one
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


ADVISORY = "moveit-transfer-2023"


def _pick_edits(data: dict) -> list[dict]:
    """Two questions to reword and a condition: the second shown only for the first's first
    choice (a person would pick what the drafted questionnaire offers)."""
    questions = [q for s in data["sections"] for q in s["questions"]]
    chooser = next(q for q in questions if q.get("options") and "show_if" not in q)
    later = [q for q in questions[questions.index(chooser) + 1 :] if "show_if" not in q]
    follower = later[0]

    def reword(q: dict) -> dict:
        edit = {"op": "edit_question", "question": q["id"], "text": q["text"] + " (since May 2023)"}
        return edit | ({"critical": "y"} if q.get("critical") else {})

    return [
        reword(chooser),
        reword(follower),
        {
            "op": "set_show_if",
            "question": follower["id"],
            "when": chooser["id"],
            "operator": "in",
            "values": chooser["options"][0]["value"],
        },
    ]


def main() -> None:
    server = SMTPServer()
    server.start()
    workdir = Path(tempfile.mkdtemp(prefix="vr-bench-ttc-"))
    os.environ.pop("DATABASE_URL", None)

    from flask_migrate import upgrade

    from tests.advisories.helpers import sync_shipped
    from tests.conftest import PASSWORD, CSRFClient, make_user, test_config
    from tests.support.factories import make_vendor
    from vendorrisk import create_app
    from vendorrisk.extensions import db
    from vendorrisk.mail import services as outbox
    from vendorrisk.questionnaires import drafts
    from vendorrisk.questionnaires.models import TemplateDraft
    from vendorrisk.vendors.models import Product, ProductUse

    app = create_app(test_config(f"sqlite:///{workdir / 'bench.db'}", MAIL_PORT=server.port))
    app.test_client_class = CSRFClient
    with app.app_context():
        upgrade(revision="heads")
        author, approver = make_user("manager"), make_user("manager")
        sync_shipped(ADVISORY)
        vendor = make_vendor()
        # The inventory says the vendor runs MOVEit Transfer, so the advisory finds it exposed.
        product = db.session.scalar(
            db.select(Product).filter(Product.name.like("MOVEit Transfer%"))
        )
        db.session.add(ProductUse(vendor_id=vendor.id, product_id=product.id))
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
    me.get("/advisories/")
    me.get(f"/advisories/{ADVISORY}")
    draft_url = me.post(f"/advisories/{ADVISORY}/draft-questionnaire", {}).location
    draft_id = draft_url.rstrip("/").rsplit("/", 1)[-1]
    page = me.get(draft_url).text
    with app.app_context():
        edits = _pick_edits(drafts.draft_data(db.session.get(TemplateDraft, int(draft_id))))
    for edit in edits:
        me.post(f"/templates/drafts/{draft_id}/edit", {**edit, "lock_version": _lock(page)})
        page = me.get(draft_url).text
    me.get(f"/templates/drafts/{draft_id}/preview")
    first = edits[2]["when"]
    me.post(f"/templates/drafts/{draft_id}/preview", {f"q-{first}": edits[2]["values"]}, expect=200)
    version_url = me.post(
        f"/templates/drafts/{draft_id}/submit", {"op": "submit", "lock_version": _lock(page)}
    ).location
    version_id = version_url.rstrip("/").rsplit("/", 1)[-1]

    second.get(version_url)
    second.post(f"/templates/versions/{version_id}/approve", {}, expect=302)

    launch = {
        "name": "MOVEit Transfer follow-up",
        "template_version": version_id,
        "vendors": [str(vendor_id)],
        "due_date": (date.today() + timedelta(days=7)).isoformat(),
        "timezone": "UTC",
    }
    wizard = me.get(f"/campaigns/new?advisory={ADVISORY}").text
    assert "checked" in wizard, "the advisory's exposed vendor is not pre-selected"
    me.post(f"/campaigns/new/preview?advisory={ADVISORY}", launch, expect=200)
    me.post(f"/campaigns/new/send?advisory={ADVISORY}", launch, expect=302)

    with app.app_context():
        while outbox.send_pending().claimed:
            pass
    message = server.wait_for(
        lambda m: "MOVEit Transfer follow-up" in str(m["Subject"]), timeout=30
    )
    body = server.text_of(message)
    link = next(word for word in body.split() if word.startswith("http://vendorrisk.test/"))
    vendor_browser = Clicks(app.test_client())
    opened = vendor_browser.get(link.removeprefix("http://vendorrisk.test"))
    assert "MOVEit" in opened.text, "the vendor's link does not show the questionnaire"
    seconds = time.perf_counter() - started
    server.stop()

    print(f"time_to_campaign clicks: {me.count + second.count + vendor_browser.count}")
    print(f"time_to_campaign seconds: {seconds:.2f} s")


if __name__ == "__main__":
    main()
