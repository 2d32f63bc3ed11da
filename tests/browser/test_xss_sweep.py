"""Issue 12: cross-site scripting payloads in every text field staff and vendors can fill, shown
by a real Chromium on every page that displays them, and in the PDF and XLSX reports.

The data goes in through the real forms where that is practical (vendors, contacts, products,
product use, users: an in-process test client posting to the live database, so the forms'
validation runs) and through the services for the rest (answers, evidence, review, findings,
advisories). Payload n would call `alert(n)` or set `window.__xss = n` if it ran; the sweep
opens each page twice, once under the app's Content-Security-Policy (any violation fails the
page) and once with the CSP bypassed (so only escaping stands between a payload and a dialog),
and checks that no dialog opened, no marker was set, no script/handler/`javascript:` URL made it
into the DOM, and that sampled pages show the payloads as the literal text they are.
"""

from __future__ import annotations

import io
import random
import re
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace

import pyotp
import pytest
import yaml
from openpyxl import load_workbook
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from tests.conftest import PASSWORD, AuthActions, CSRFClient, make_user
from tests.reports.helpers import build, download, joined
from tests.support import xss
from tests.support.factories import SMALL_TEMPLATE, approved_version, portal_path
from tests.support.factories import create_campaign as factory_campaign

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ALL = xss.ALL
ROWS = xss.rows_needed(200)  # vendors, users, campaigns: every 200-character field covered
TEMPLATE_SLUG = "xss-sweep-check"

# Runs in every page after load: anything an escaped payload could never produce.
DOM_PROBE = """() => {
  const bad = [];
  const urlAttrs = ['href', 'src', 'action', 'formaction', 'data', 'xlink:href', 'srcdoc',
                    'poster', 'background'];
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    if (['iframe', 'object', 'embed', 'base', 'marquee', 'video', 'source', 'math'].includes(tag))
      bad.push('element ' + tag);
    if (tag === 'meta' && el.getAttribute('http-equiv')) bad.push('meta http-equiv');
    if (tag === 'script' && (!el.src || new URL(el.src).origin !== location.origin))
      bad.push('script ' + (el.src || el.textContent.slice(0, 60)));
    if (tag === 'img' && el.getAttribute('src') === 'x') bad.push('img src=x');
    if (tag === 'svg' && el.closest('body')) bad.push('inline svg');
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) bad.push(tag + ' ' + name + '=' + attr.value.slice(0, 60));
      if (urlAttrs.includes(name) && /^\\s*(javascript|vbscript|data:text)/i.test(attr.value))
        bad.push(tag + ' ' + name + '=' + attr.value.slice(0, 60));
    }
  }
  if (window.__xss !== undefined) bad.push('window.__xss=' + window.__xss);
  return bad;
}"""


@dataclass
class World:
    """What the seed made: ids and the pages to open."""

    admin_email: str = ""
    admin_secret: str = ""
    vendor_ids: list[int] = field(default_factory=list)
    contact_ids: list[tuple[int, int]] = field(default_factory=list)
    product_ids: list[int] = field(default_factory=list)
    user_ids: list[int] = field(default_factory=list)
    campaign_ids: list[int] = field(default_factory=list)
    main_campaign_id: int = 0
    assignment_ids: list[int] = field(default_factory=list)
    finding_ids: list[int] = field(default_factory=list)  # raised by scoring
    staff_findings: list[tuple[int, str]] = field(default_factory=list)  # (id, title)
    advisory_slugs: list[str] = field(default_factory=list)
    firm_action_key: str = ""
    version_id: int = 0
    portal_paths: list[str] = field(default_factory=list)
    filenames: dict[int, list[str]] = field(default_factory=dict)  # per row, as stored


# --- the payload questionnaire ----------------------------------------------------------------


def payload_template() -> str:
    """The small questionnaire with a payload in every text a manager writes into a template."""
    doc = yaml.safe_load(SMALL_TEMPLATE)
    doc["id"] = TEMPLATE_SLUG
    doc["title"] = xss.spread(200, 0)
    doc["description"] = ALL
    doc["reference_dates"][0]["label"] = xss.spread(200, 1)
    k = 2
    for category in doc["categories"]:
        category["title"] = xss.spread(200, k)
        k += 1
    for section in doc["sections"]:
        section["title"] = xss.spread(200, k)
        k += 1
        for question in section["questions"]:
            question["text"] = xss.spread(500, k)
            k += 1
            for option in question.get("options", []):
                option["label"] = xss.spread(200, k)
                k += 1
                if "finding" in option:
                    option["finding"] = xss.spread(500, k)
            if "remediation" in question:
                question["remediation"] = ALL
            if "finding_title" in question:
                question["finding_title"] = xss.spread(80, k)
                k += 1
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


# --- seeding ----------------------------------------------------------------------------------


def _ok(response, what: str) -> str:
    if response.status_code != 302:
        errors = re.findall(r'id="([\w-]+)-error"[^>]*>(.*?)</div>', response.text, re.S)
        alerts = re.findall(r'class="alert[^"]*"[^>]*>(.*?)</div>', response.text, re.S)
        pytest.fail(f"{what}: {response.status_code} {errors or alerts or response.text[:500]}")
    return response.location


def _last_id(location: str) -> int:
    return int(re.findall(r"/(\d+)", location)[-1])


def _signed_in_client(app, role: str, name: str) -> CSRFClient:
    """Return an in-process client on the live database, signed in as a new user."""
    from vendorrisk.extensions import db

    with app.app_context():
        user = make_user(role, name=name)
        who = SimpleNamespace(email=user.email, totp_secret=user.totp_secret)
        db.session.commit()
    # Outside the app context: SQLite writers take the lock when a transaction begins.
    client = CSRFClient(app, app.response_class, use_cookies=True)
    AuthActions(client).login(user=who)
    return client


def _seed_forms(app, world: World) -> None:
    """Users, vendors, contacts, products and product use through the real forms."""
    from vendorrisk.extensions import db

    client = _signed_in_client(app, "admin", "Form Clerk")

    emails = []
    for i in range(ROWS):
        local = xss.EMAIL_LOCAL_PARTS[i % len(xss.EMAIL_LOCAL_PARTS)]
        emails.append(f"{local}{i}@firm.example")
        _ok(
            client.post(
                "/admin/users/new",
                data={
                    "email": emails[-1],
                    "name": xss.spread(200, i),
                    "role": "manager",
                    "password": PASSWORD,
                },
            ),
            "user",
        )
    with app.app_context():
        from vendorrisk.accounts.services import user_by_email

        world.user_ids = [user_by_email(email).id for email in emails]

    # A javascript:, data: or vbscript: website is refused beside the field, and escaped there.
    for bad in xss.BAD_URL_PAYLOADS:
        response = client.post("/vendors/new", data=_vendor_form(f"Refused {bad}", bad, None))
        assert response.status_code == 200 and 'id="website-error"' in response.text, bad
        assert "<script>alert(906)" not in response.text

    for i in range(ROWS):
        owner = world.user_ids[i % len(world.user_ids)]
        location = _ok(
            client.post(
                "/vendors/new",
                data=_vendor_form(
                    xss.spread(200, i),
                    xss.GOOD_URL_PAYLOADS[i % len(xss.GOOD_URL_PAYLOADS)],
                    owner,
                    legal_name=xss.spread(300, i),
                ),
            ),
            "vendor",
        )
        vendor_id = _last_id(location)
        world.vendor_ids.append(vendor_id)
        for offset, kind in ((0, "primary"), (5, "security")):
            local = xss.EMAIL_LOCAL_PARTS[(i + offset) % len(xss.EMAIL_LOCAL_PARTS)]
            _ok(
                client.post(
                    f"/vendors/{vendor_id}/contacts/new",
                    data={
                        "name": xss.spread(200, i + offset),
                        "email": f"{local}@vendor{i}.example",
                        "phone": "+44 20 7946 0000",
                        "title": xss.spread(200, i + offset + 1),
                        "kinds": [kind],
                    },
                ),
                "contact",
            )
        mine = [p for j, p in enumerate(xss.PAYLOADS) if j % ROWS == i]
        location = _ok(
            client.post(
                "/products/new",
                data={
                    "supplier": xss.spread(200, i + 2),
                    "supplier_vendor_id": "",
                    "name": xss.spread(200, i),
                    "aliases": "\n".join(mine),
                    "known_versions": "\n".join(f"{p} v{i}" for p in mine),
                },
            ),
            "product",
        )
        product_id = _last_id(location)
        world.product_ids.append(product_id)
        _ok(
            client.post(
                f"/vendors/{vendor_id}/products/new",
                data={
                    "product_id": str(product_id),
                    "versions": "; ".join(mine),
                    "subcontractor": xss.spread(200, i + 3),
                },
            ),
            "product use",
        )
    with app.app_context():
        from vendorrisk.vendors.models import Contact

        for vendor_id in world.vendor_ids:
            for contact_id in db.session.scalars(
                select(Contact.id).where(Contact.vendor_id == vendor_id).order_by(Contact.id)
            ):
                world.contact_ids.append((vendor_id, contact_id))


def _vendor_form(name: str, website: str, owner_id, **extra) -> dict:
    data = {
        "name": name,
        "legal_name": "",
        "lei": "",
        "country": "GB",
        "parent_id": "",
        "website": website,
        "services": ALL,
        "criticality": "critical",
        "data_access": "regulated",
        "owner_id": str(owner_id or ""),
        "status": "active",
        "contract_start": "",
        "contract_end": "",
        "renewal_date": "",
        "description": ALL,
        "notes": ALL,
    }
    data.update(extra)
    return data


def _evidence(name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(PDF), filename=name, content_type="application/pdf")


def _seed_services(app, world: World) -> None:
    """Campaigns, answers, evidence, review, findings, alerts, advisories, tokens."""
    from tests.advisories.helpers import add_update, make_advisory
    from tests.reports import seed as report_seed
    from vendorrisk.accounts.models import User
    from vendorrisk.advisories import checklist, exposure
    from vendorrisk.advisories import services as advisories
    from vendorrisk.api import tokens
    from vendorrisk.campaigns import services as campaigns
    from vendorrisk.campaigns.models import Campaign, ImpactAlert
    from vendorrisk.core import storage
    from vendorrisk.dashboard import services as dashboard
    from vendorrisk.extensions import db
    from vendorrisk.portal import services as portal
    from vendorrisk.questionnaires.answers import Answer
    from vendorrisk.review import services as review
    from vendorrisk.vendors.models import Vendor

    rng = random.Random(12)
    today = date.today()
    with app.app_context():
        users = [db.session.get(User, uid) for uid in world.user_ids]
        vendors = [db.session.get(Vendor, vid) for vid in world.vendor_ids]
        admin = make_user("admin", name=xss.spread(200, 3))
        world.admin_email, world.admin_secret = admin.email, admin.totp_secret
        for j, name in enumerate(xss.pack(100)):
            tokens.create_token(admin, f"{name} {j}"[:100])
        version = approved_version(payload_template(), uploader=users[0], approver=users[1])
        world.version_id = version.id

        main = factory_campaign(
            version,
            vendors,
            actor=users[0],
            name=xss.spread(200, 0),
            message=ALL,
            due_date=today + timedelta(days=20),
        )
        world.main_campaign_id = main.id
        world.campaign_ids.append(main.id)
        for i in range(1, ROWS):
            extra = factory_campaign(
                version,
                [vendors[i]],
                actor=users[i],
                name=xss.spread(200, i),
                message=xss.spread(2000, i),
                due_date=today + timedelta(days=25),
            )
            world.campaign_ids.append(extra.id)
        campaigns.extend_due_date(main, today + timedelta(days=30), xss.spread(1000, 0), users[0])
        campaigns.extend_due_date(
            db.session.get(Campaign, world.campaign_ids[1]),
            today + timedelta(days=31),
            xss.spread(1000, 1),
            users[1],
        )
        db.session.commit()

        for i, assignment in enumerate(main.assignments):
            reviewer, recipient = users[i], assignment.recipients[0]
            world.assignment_ids.append(assignment.id)
            for j, payload in enumerate(xss.PAYLOADS):
                if j % ROWS == i:
                    evidence = portal.attach_evidence(
                        assignment.response, recipient, "soc2_report", _evidence(f"{payload}.pdf")
                    )
                    world.filenames.setdefault(i, []).append(evidence.filename)
                    assert evidence.filename == storage.clean_filename(f"{payload}.pdf")
            answers = {
                "uses_connector": Answer("yes"),
                "data_accessed": Answer("yes"),
                "rotated": Answer("no"),
                "credentials_reset": Answer("some"),
                "notify_hours": Answer(None, na=True, comment=ALL),
                "soc2_report": Answer(None, evidence_reason=ALL),
                "notes": Answer(ALL),
            }
            report_seed.submit(
                assignment,
                answers,
                rng=rng,
                name=xss.spread(200, i),
                title=xss.spread(200, i + 1),
                files=False,
            )
            template = portal.template_of(assignment)
            review.request_clarification(
                assignment, reviewer, {"rotated": ALL, "notes": xss.spread(2000, i)}, template
            )
            db.session.flush()
            review.record_replies(
                assignment,
                recipient,
                2,
                {item.id: ALL for item in review.clarification_items(assignment, 2)},
            )
            revision = report_seed.submit(
                assignment,
                {"notes": Answer(ALL)},
                rng=rng,
                name=xss.spread(200, i + 2),
                title=xss.spread(200, i + 3),
                files=False,
            )
            scored = [e for e in revision.score["trace"] if e["status"] == "scored"]
            review.override_points(
                revision, scored[-1]["question_id"], 100, ALL, reviewer, scored[-1]["percent"]
            )
            staff = [
                review.add_finding(
                    assignment,
                    reviewer,
                    title=xss.spread(500, i + n),
                    severity="high",
                    due_date=today + timedelta(days=40),
                    remediation=ALL,
                    internal=n == 3,
                )
                for n in range(4)
            ]
            review.plan_remediation(
                staff[0],
                owner=xss.spread(200, i),
                plan_date=today + timedelta(days=30),
                plan=ALL,
                user=reviewer,
            )
            review.override_severity(staff[0], "medium", ALL, reviewer)
            review.plan_remediation(
                staff[1],
                owner=xss.spread(200, i + 4),
                plan_date=today + timedelta(days=35),
                plan=ALL,
                recipient=recipient,
            )
            review.accept_risk(staff[2], users[(i + 1) % ROWS], ALL, today + timedelta(days=90))
            review.close_finding(staff[3], reviewer, ALL)
            review.decide(
                assignment,
                reviewer,
                "approved_with_conditions",
                ALL,
                [(xss.spread(500, i), today + timedelta(days=60))],
            )
            for alert in db.session.scalars(
                select(ImpactAlert).where(ImpactAlert.assignment_id == assignment.id)
            ):
                if alert.handled_at is None:
                    dashboard.handle_alert(alert, reviewer, ALL)
            db.session.commit()
            world.staff_findings.extend((f.id, xss.spread(500, i + n)) for n, f in enumerate(staff))
            world.finding_ids.extend(
                f.id
                for f in review.vendor_findings(assignment)
                if f.id not in {s.id for s in staff}
            )

        for i, title in enumerate(xss.pack(300)):
            url = xss.LINK_URL_PAYLOADS[i % 2]
            advisory = make_advisory(
                actor=users[i % ROWS],
                slug=f"xss-sweep-{i}",
                title=title,
                publisher=xss.spread(200, i),
                summary=ALL,
                body=ALL,
                key_dates=[
                    {
                        "name": "compromise_date",
                        "label": xss.spread(300, i + 1),
                        "date": "2021-01-12",
                    }
                ],
                actions=[
                    {"id": "firm-step", "for": "firm", "text": ALL},
                    {
                        "id": "vendor-step",
                        "for": "vendors",
                        "text": xss.spread(2000, i),
                        "questions": [f"{TEMPLATE_SLUG}/rotated"],
                    },
                ],
                references=[{"title": xss.spread(300, i + 2), "url": url}],
                templates=[TEMPLATE_SLUG],
            )
            add_update(advisory, actor=users[i % ROWS], title=xss.spread(300, i + 3), body=ALL)
            exposure.set_exposure(advisory, vendors[i % ROWS], "ruled_out", ALL, users[0])
            action = next(a for a in advisories.effective(advisory).actions if a.audience == "firm")
            checklist.set_progress(
                advisory,
                action,
                state="in_progress",
                owner_id=users[i % ROWS].id,
                on_date=None,
                note=ALL,
                actor=users[0],
            )
            world.advisory_slugs.append(advisory.slug)
            world.firm_action_key = action.id
        db.session.commit()

        for assignment in db.session.get(Campaign, main.id).assignments:
            for recipient in assignment.recipients[:1]:
                world.portal_paths.append(portal_path(recipient))


@pytest.fixture(scope="module")
def world(live_server, tmp_path_factory) -> World:
    app = live_server.app()
    folders = tmp_path_factory.mktemp("xss")
    saved = {k: app.config.get(k) for k in ("UPLOAD_FOLDER", "REPORT_FOLDER", "REPORT_RUNNER")}
    app.config.update(
        UPLOAD_FOLDER=str(folders / "uploads"),
        REPORT_FOLDER=str(folders / "reports"),
        REPORT_RUNNER="inline",
    )
    built = World()
    _seed_forms(app, built)
    _seed_services(app, built)
    yield built
    app.config.update(saved)


# --- the browser sweep ------------------------------------------------------------------------


class Sweep:
    """Open pages in one browser context and collect everything that looks like execution."""

    def __init__(self, page, label: str):
        self.page, self.label = page, label
        self.dialogs: list[str] = []
        self.problems: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _dialog(self, dialog):
        self.dialogs.append(f"{self.page.url}: {dialog.type} {dialog.message}")
        dialog.dismiss()

    def visit(self, path: str, *, expect: list[str] = ()) -> str:
        response = self.page.goto(path)
        assert response is not None and response.ok, f"{self.label} {path}: {response.status}"
        self.page.wait_for_load_state("load")
        self.check(path, expect=expect)
        return self.page.url

    def check(self, where: str, *, expect: list[str] = ()) -> None:
        self.problems.extend(f"{self.label} {where}: {p}" for p in self.page.evaluate(DOM_PROBE))
        if expect:
            text = xss.normalise(self.page.inner_text("body"))
            missing = [e for e in expect if xss.normalise(e) not in text]
            assert not missing, f"{self.label} {where}: not shown literally: {missing[:3]}"

    def assert_clean(self) -> None:
        assert self.dialogs == [], self.dialogs[:10]
        assert self.problems == [], self.problems[:20]
        assert self.errors == [], self.errors[:10]


_last_step: dict[str, int] = {}


def _fresh_code(secret: str) -> str:
    """Return a code the server has not seen yet: a code is good once, so a second sign-in
    within the same 30 seconds uses the next step's code (the server accepts one step ahead)."""
    totp = pyotp.TOTP(secret)
    step = max(int(time.time() // totp.interval), _last_step.get(secret, -1) + 1)
    while step > int(time.time() // totp.interval) + 1:
        time.sleep(1)
    _last_step[secret] = step
    return totp.at(step * totp.interval)


def _sign_in(page, email: str, secret: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/login/code"))
    page.locator("input[name=code]").fill(_fresh_code(secret))
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/(dashboard/)?$"))


def _staff_pages(world: World, *, full: bool) -> list[tuple[str, list[str]]]:
    """The staff pages that show seeded text, with what they must show literally.

    `full` gives every page that carries a different part of the payloads; otherwise one page of
    each kind.
    """
    v0 = world.vendor_ids[0]
    slug = world.advisory_slugs[0]
    pages: list[tuple[str, list[str]]] = [
        ("/", []),
        ("/dashboard/", []),
        ("/dashboard/impact", []),
        ("/dashboard/overdue", []),
        ("/vendors/", [xss.spread(200, i) for i in range(ROWS)]),
        ("/vendors/?q=script", []),
        ("/products/", []),
        ("/campaigns/", [xss.spread(200, i) for i in range(ROWS)]),
        ("/findings/", []),
        ("/audit/", []),
        ("/admin/outbox/", []),
        ("/admin/users", [xss.spread(200, i) for i in range(ROWS)]),
        ("/profile", [f"{name} {j}"[:100] for j, name in enumerate(xss.pack(100))]),
        ("/advisories/", []),
        ("/templates/", []),
        (f"/templates/versions/{world.version_id}", []),
        (f"/templates/versions/{world.version_id}/preview", []),
        ("/reports/", []),
        (f"/reports/vendors/{v0}", []),
        (f"/reports/campaigns/{world.main_campaign_id}", []),
        (f"/vendors/{v0}/edit", []),
        (f"/admin/users/{world.user_ids[0]}", []),
        (f"/advisories/{slug}/exposure", []),
        (f"/advisories/{slug}/actions/{world.firm_action_key}", []),
        (f"/advisories/{slug}/edit", []),
        (f"/vendors/{v0}/contacts/{world.contact_ids[0][1]}/edit", []),
        (f"/products/{world.product_ids[0]}", [xss.spread(200, 0)]),
    ]
    rows = range(ROWS) if full else range(1)
    for i in rows:
        pages.append((f"/vendors/{world.vendor_ids[i]}", [xss.spread(200, i), ALL]))
        pages.append((f"/campaigns/{world.campaign_ids[i]}", [xss.spread(200, i)]))
        pages.append((f"/review/assignments/{world.assignment_ids[i]}", [ALL]))
    # Staff findings: the first assignment's four carry every 500-character title group.
    for finding_id, title in world.staff_findings[: 4 if full else 1]:
        pages.append((f"/findings/{finding_id}", [title, ALL]))
    for finding_id in world.finding_ids[: 3 if full else 1]:
        pages.append((f"/findings/{finding_id}", []))
    for i, slug in enumerate(world.advisory_slugs if full else world.advisory_slugs[:1]):
        pages.append((f"/advisories/{slug}", [xss.pack(300)[i]]))
    return pages


def _context(browser, live_server, csp: str):
    context = browser.new_context(
        base_url=live_server.url,
        bypass_csp=csp == "bypassed",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15_000)
    return context


# With the CSP bypassed, escaping alone keeps the payloads inert, so every page is opened that
# way; under the real CSP (where a violation would also fail) one page of each kind is enough.
@pytest.mark.parametrize("csp", ["bypassed", "enforced"])
def test_staff_pages_show_every_payload_as_text(browser, live_server, world, csp):
    context = _context(browser, live_server, csp)
    page = context.new_page()
    sweep = Sweep(page, f"staff/{csp}")
    try:
        _sign_in(page, world.admin_email, world.admin_secret)
        for path, expect in _staff_pages(world, full=csp == "bypassed"):
            sweep.visit(path, expect=expect)
        sweep.assert_clean()
    finally:
        context.close()


@pytest.mark.parametrize("csp", ["bypassed", "enforced"])
def test_portal_pages_show_every_payload_as_text(browser, live_server, world, csp):
    context = _context(browser, live_server, csp)
    page = context.new_page()
    sweep = Sweep(page, f"portal/{csp}")
    full = csp == "bypassed"
    try:
        for i, (path, assignment_id) in enumerate(
            zip(world.portal_paths, world.assignment_ids, strict=True)
        ):
            if not full and i > 0:
                break
            sweep.visit(path)
            page.get_by_role("button", name=re.compile("Continue")).click()
            page.wait_for_load_state("load")
            sweep.check(f"after continue {i}")
            base = f"/portal/a/{assignment_id}"
            # The questions and answers are the same for every vendor; the file names, the
            # attestation and the plans differ.
            for index in range(2) if i == 0 else ():
                sweep.visit(f"{base}/s/{index}")
            sweep.visit(f"{base}/s/2", expect=world.filenames[i])
            if i == 0:
                sweep.visit(f"{base}/submit", expect=[ALL])
                sweep.visit("/portal/", expect=[xss.spread(200, 0)])
            sweep.visit(f"{base}/receipt", expect=[xss.spread(200, i + 2)])
            sweep.visit(f"{base}/findings", expect=[ALL, xss.spread(200, i + 4)])
        sweep.assert_clean()
    finally:
        context.close()


# --- reports and exports ----------------------------------------------------------------------


def _report_client(app):
    return _signed_in_client(app, "compliance", xss.spread(200, 4))


def _pdf_text(client, path: str) -> str:
    _, job_id = build(client, path)
    return xss.squash(joined(download(client, job_id)))


def test_pdf_reports_print_the_payloads_as_text(live_server, world):
    app = live_server.app()
    client = _report_client(app)
    vendor_text = _pdf_text(client, f"/reports/vendors/{world.vendor_ids[0]}/pdf")
    expected = [xss.spread(200, 0), *xss.PAYLOADS]
    missing = [p for p in expected if xss.squash(p) not in vendor_text]
    assert not missing, f"vendor PDF lacks {missing[:5]}"

    campaign_text = _pdf_text(client, f"/reports/campaigns/{world.main_campaign_id}/pdf")
    expected = [xss.spread(200, 0), *(xss.spread(200, i) for i in range(ROWS))]
    missing = [p for p in expected if xss.squash(p) not in campaign_text]
    assert not missing, f"campaign PDF lacks {missing[:5]}"


def _cells(book):
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from row


def test_xlsx_exports_hold_the_payloads_as_plain_text_cells(live_server, world):
    app = live_server.app()
    client = _report_client(app)
    for path in (
        f"/reports/vendors/{world.vendor_ids[0]}/export.xlsx",
        f"/reports/campaigns/{world.main_campaign_id}/export.xlsx",
    ):
        response = client.get(path)
        assert response.status_code == 200, response.text[:300]
        book = load_workbook(io.BytesIO(response.data))
        values = set()
        for cell in _cells(book):
            assert cell.data_type != "f", (path, cell.coordinate, cell.value)
            assert cell.hyperlink is None, (path, cell.coordinate, cell.hyperlink)
            if isinstance(cell.value, str):
                values.add(cell.value)
        for expected in (ALL, xss.spread(200, 0)):
            assert expected in values, (path, expected[:60])
        joined_values = "\n".join(values)
        missing = [p for p in xss.PAYLOADS if p not in joined_values]
        assert not missing, (path, missing[:5])
