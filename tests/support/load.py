"""A load harness shared by `bench/load.py` and the short load test in the suite.

It seeds vendors and one campaign of the small questionnaire (tests/support/factories.py) into
a fresh database, serves the app with gunicorn (several workers, a real SMTP server) and drives
it from this process with one thread per simulated vendor. Each vendor opens its own link,
presses Continue, reads section pages and autosaves them as vendorrisk/static/js/portal.js does
(the whole section as multipart form data, the page's `version`, `X-Autosave: 1`; the version
the JSON reply carries goes into the next save; a 409 stops autosaving until the page is
reloaded), and submits with an attestation at a random moment. Once its own questionnaire is
submitted, it helps on colleagues' open questionnaires through their links, so saves race and
conflicts happen. Afterwards every acknowledged save is compared with the database through the
app's models: for each field, the value of the acknowledgement with the highest version must be
what the draft (and the submitted revision) holds.
"""

from __future__ import annotations

import http.cookiejar
import os
import random
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.gunicorn import Gunicorn
from tests.support.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]

# What the server log must never contain.
LOG_PROBLEMS = ("database is locked", "Traceback", "[CRITICAL]", "WORKER TIMEOUT")


# --- seeding and checking, through the app ----------------------------------------------------


def _app(database_url: str):
    from tests.conftest import test_config
    from vendorrisk import create_app

    return create_app(test_config(database_url))


def prepare_database(database_url: str, vendors: int) -> list[tuple[str, int]]:
    """Migrate an empty database and seed `vendors` vendors and one campaign to all of them.

    Returns each recipient's link path and assignment id.
    """
    from flask_migrate import upgrade

    from tests.conftest import make_user
    from tests.support.factories import approved_version, create_campaign, make_vendor, portal_path
    from vendorrisk.extensions import db

    app = _app(database_url)
    with app.app_context():
        upgrade(revision="heads")
        owner = make_user("manager", name="Load Owner")
        version = approved_version()
        vendor_list = [make_vendor(f"Load vendor {i + 1}", owner=owner) for i in range(vendors)]
        campaign = create_campaign(version, vendor_list, name="Load campaign")
        links = [(portal_path(a.recipients[0]), a.id) for a in campaign.assignments]
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return links


def fresh_postgres_database(server_url: str, name: str) -> str:
    """(Re)create database `name` on the server of `server_url`; return its psycopg URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or name == "test":
        raise ValueError(f"refusing to (re)create database {name!r}")
    url = make_url(server_url).set(drivername="postgresql+psycopg")
    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(database_url: str) -> None:
    """Drop a database made by `fresh_postgres_database`."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    finally:
        engine.dispose()


@dataclass
class Ack:
    """A save the server acknowledged: what was posted and the version it answered with."""

    assignment_id: int
    index: int
    version: int
    fields: dict[str, str]


def check_saves(database_url: str, acks: list[Ack], submitted: set[int]) -> list[str]:
    """Return every acknowledged save (or submission) the database does not hold."""
    from vendorrisk.campaigns.models import Assignment
    from vendorrisk.portal import services
    from vendorrisk.portal.drafts import draft_formdata, section_field_names
    from vendorrisk.questionnaires.answers import decode_answer

    problems: list[str] = []
    latest: dict[tuple[int, int], Ack] = {}
    seen: dict[tuple[int, int], Ack] = {}
    for ack in acks:
        twin = seen.setdefault((ack.assignment_id, ack.version), ack)
        if twin is not ack:
            problems.append(
                f"assignment {ack.assignment_id}: two saves were acknowledged as version "
                f"{ack.version}"
            )
        key = (ack.assignment_id, ack.index)
        if key not in latest or latest[key].version < ack.version:
            latest[key] = ack
    app = _app(database_url)
    with app.app_context():
        from vendorrisk.extensions import db

        for assignment_id in sorted({a for a, _ in latest} | submitted):
            assignment = db.session.get(Assignment, assignment_id)
            template = services.template_of(assignment)
            draft = draft_formdata(template, services.draft_answers(assignment.response))
            revision = assignment.response.latest_submitted
            if assignment_id in submitted and revision is None:
                problems.append(f"assignment {assignment_id}: acknowledged submission missing")
            final = None
            if revision is not None:
                answers = {q: decode_answer(a) for q, a in (revision.answers or {}).items()}
                final = draft_formdata(template, answers)
            for index, section in enumerate(template.sections):
                ack = latest.get((assignment_id, index))
                if ack is None:
                    continue
                for name in sorted(section_field_names(section)):
                    want = ack.fields.get(name)
                    if draft.get(name) != want:
                        problems.append(
                            f"assignment {assignment_id} {name}: version {ack.version} saved "
                            f"{want!r}, the draft holds {draft.get(name)!r}"
                        )
                    if final is not None and final.get(name) != want:
                        problems.append(
                            f"assignment {assignment_id} {name}: version {ack.version} saved "
                            f"{want!r}, the submission holds {final.get(name)!r}"
                        )
        db.session.remove()
        db.engine.dispose()
    return problems


# --- the served app ---------------------------------------------------------------------------


class Server:
    """gunicorn serving the app on a database, delivering mail to a local SMTP port."""

    def __init__(self, database_url: str, workdir: Path, *, workers: int, smtp_port: int):
        from tests.conftest import TEST_LINK_KEY

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "server.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "load-secret-key",
            "LINK_KEY": TEST_LINK_KEY,
            "MAIL_TRANSPORT": "smtp",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(smtp_port),
            "MAIL_TIMEOUT": "5",
            "EXTERNAL_BASE_URL": self.url,
            "VENDORRISK_ENV": "development",
        }
        self.gunicorn = Gunicorn(self.port, self.env, self.log_path, workers=workers)

    def start(self) -> None:
        self.gunicorn.start()

    def stop(self) -> None:
        self.gunicorn.stop()

    def log(self) -> str:
        return self.gunicorn.log()

    def log_problems(self) -> list[str]:
        return [line for line in self.log().splitlines() if any(p in line for p in LOG_PROBLEMS)]


# --- simulated vendors ------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # every request is timed on its own; the caller follows redirects


class Reply:
    """Status, headers and text of one response."""

    def __init__(self, status: int, headers, body: bytes):
        self.status = status
        self.headers = headers
        self.text = body.decode("utf-8", errors="replace")

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


def _multipart(fields: list[tuple[str, str]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        )
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts).encode(), f"multipart/form-data; boundary={boundary}"


def _hidden(html: str, name: str) -> str | None:
    for tag in re.findall(r"<input\b[^>]*>", html):
        if f'name="{name}"' in tag:
            match = re.search(r'value="([^"]*)"', tag)
            return match.group(1) if match else None
    return None


class Stats:
    """Latencies by kind, status counts and acknowledgements, shared by the vendor threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {}
        self.statuses: dict[int, int] = {}
        self.errors: list[str] = []
        self.acks: list[Ack] = []
        self.submitted: set[int] = set()
        self.conflicts = 0

    def record(self, kind: str, seconds: float, status: int) -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds)
            self.statuses[status] = self.statuses.get(status, 0) + 1

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


class Closed(Exception):
    """The questionnaire is submitted: nothing more to save on it."""


class Vendor:
    """One person at a vendor, with their own browser (cookies)."""

    def __init__(self, number: int, base: str, stats: Stats, rng: random.Random):
        self.number = number
        self.base = base
        self.stats = stats
        self.rng = rng
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect
        )
        self.saves = 0

    # HTTP

    def request(self, kind: str, path: str, data=None, headers=None) -> Reply:
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=60) as response:  # noqa: S310 - local server
                reply = Reply(response.status, response.headers, response.read())
        except urllib.error.HTTPError as exc:
            reply = Reply(exc.code, exc.headers, exc.read())
        except OSError as exc:
            self.stats.record(kind, time.perf_counter() - started, 599)
            with self.stats.lock:
                self.stats.errors.append(f"{kind} {path}: {exc}")
            raise
        self.stats.record(kind, time.perf_counter() - started, reply.status)
        if reply.status >= 500:
            with self.stats.lock:
                self.stats.errors.append(f"{kind} {path}: {reply.status}")
        return reply

    def post(self, kind: str, path: str, fields: list[tuple[str, str]], headers=None) -> Reply:
        body, content_type = _multipart(fields)
        return self.request(kind, path, body, {"Content-Type": content_type, **(headers or {})})

    # What a person does

    def open_link(self, link: str) -> None:
        page = self.request("landing", link)
        if page.status != 200:
            raise Closed(f"link page answered {page.status}")
        token = _hidden(page.text, "csrf_token") or ""
        reply = self.post("continue", link, [("csrf_token", token)])
        if reply.status != 302:
            raise Closed(f"Continue answered {reply.status}")

    def answers(self, index: int) -> dict[str, str]:
        """Complete answers for a section, different on every call."""
        from vendorrisk.questionnaires.formfactory import field_names

        rng, self.saves = self.rng, self.saves + 1
        if index == 0:
            return {
                field_names("uses_connector").value: "yes",
                field_names("data_accessed").value: rng.choice(["yes", "no"]),
            }
        if index == 1:
            return {
                field_names("rotated").value: "yes",
                field_names("rotated_on").value: f"2021-01-{rng.randint(13, 28):02d}",
                field_names("credentials_reset").value: rng.choice(["some", "none"]),
            }
        return {
            field_names("notify_hours").value: str(rng.randint(1, 96)),
            field_names("soc2_report").reason: f"Audit under way, update {self.saves}",
            field_names("notes").value: f"Vendor {self.number} note {self.saves}",
        }

    def form_page(self, aid: int, index: int) -> tuple[str, int]:
        """Load a section page; return its CSRF token and version (Closed once submitted)."""
        page = self.request("form_page", f"/portal/a/{aid}/s/{index}")
        if page.status != 200:
            raise Closed(f"section page answered {page.status}")
        if "data-autosave" not in page.text:
            raise Closed("submitted")
        return _hidden(page.text, "csrf_token") or "", int(_hidden(page.text, "version") or -1)

    def autosave_section(self, aid: int, index: int, rounds: int) -> None:
        """Open a section and autosave `rounds` changes, as the page's script does."""
        token, version = self.form_page(aid, index)
        for _ in range(rounds):
            answers = self.answers(index)
            fields = [("csrf_token", token), ("version", str(version)), *answers.items()]
            fields.append(("action", "stay"))
            reply = self.post(
                "autosave",
                f"/portal/a/{aid}/s/{index}",
                fields,
                {"X-Autosave": "1", "Accept": "application/json"},
            )
            if reply.status == 200 and reply.headers.get_content_type() == "application/json":
                import json

                body = json.loads(reply.text)
                version = int(body["version"])
                with self.stats.lock:
                    self.stats.acks.append(Ack(aid, index, version, answers))
            elif reply.status == 409:
                # The script stops; the person presses Save draft, sees the conflict notice
                # and reloads the page to see what was saved.
                with self.stats.lock:
                    self.stats.conflicts += 1
                token, version = self.form_page(aid, index)
            elif reply.status == 400 and "can no longer be changed" in reply.text:
                raise Closed("submitted meanwhile")
            else:
                token, version = self.form_page(aid, index)

    def submit(self, aid: int) -> bool:
        for _ in range(3):
            page = self.request("review", f"/portal/a/{aid}/submit")
            if page.status == 302:
                return "/receipt" in page.location
            fields = [
                ("csrf_token", _hidden(page.text, "csrf_token") or ""),
                ("version", _hidden(page.text, "version") or ""),
                ("name", f"Person {self.number}"),
                ("title", "CISO"),
                ("confirm", "y"),
            ]
            reply = self.post("submit", f"/portal/a/{aid}/submit", fields)
            if reply.status == 302 and "/receipt" in reply.location:
                with self.stats.lock:
                    self.stats.submitted.add(aid)
                return True
        return False


def run_load(
    base: str,
    links: list[tuple[str, int]],
    seconds: float,
    *,
    seed: int = 12,
) -> tuple[Stats, float]:
    """Drive the server with one vendor per link for `seconds`; return the stats and time."""
    stats = Stats()
    started = time.monotonic()
    deadline = started + seconds
    open_ids = {aid for _, aid in links}
    by_id = dict((aid, link) for link, aid in links)
    lock = threading.Lock()

    def person(number: int, link: str, aid: int) -> None:
        rng = random.Random(seed * 1000 + number)
        vendor = Vendor(number, base, stats, rng)
        submit_at = started + seconds * rng.uniform(0.3, 0.85)
        try:
            vendor.open_link(link)
            for index in range(3):  # a first pass answers everything
                vendor.autosave_section(aid, index, 1)
            while time.monotonic() < min(submit_at, deadline):
                vendor.autosave_section(aid, rng.randrange(3), rng.randint(1, 4))
            if time.monotonic() < deadline:
                vendor.submit(aid)
        except Closed:
            pass
        finally:
            with lock:
                open_ids.discard(aid)
        helped: set[int] = set()
        while time.monotonic() < deadline:
            with lock:
                choices = sorted(open_ids)
            if not choices:
                vendor.request("receipt", f"/portal/a/{aid}/receipt")
                continue
            other = rng.choice(choices)
            try:
                if other not in helped:
                    vendor.open_link(by_id[other])
                    helped.add(other)
                vendor.autosave_section(other, rng.randrange(3), rng.randint(1, 3))
            except Closed:
                continue

    def guarded(*args) -> None:
        try:
            person(*args)
        except Exception as exc:  # noqa: BLE001 - reported, not raised in a thread
            with stats.lock:
                stats.errors.append(f"vendor {args[0]}: {type(exc).__name__}: {exc}")

    threads = [
        threading.Thread(target=guarded, args=(n, link, aid), daemon=True)
        for n, (link, aid) in enumerate(links, start=1)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 120)
    return stats, time.monotonic() - started


# --- one whole run ----------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@dataclass
class LoadReport:
    """The outcome of one run on one database."""

    backend: str
    seconds: float
    stats: Stats
    lost: list[str]
    log_problems: list[str]
    figures: dict[str, tuple[float | int, str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not (self.stats.server_errors or self.lost or self.log_problems or self.stats.errors)

    def lines(self) -> list[str]:
        return [
            f"load {self.backend} {name}: {value if isinstance(value, int) else f'{value:.1f}'} {unit}"
            for name, (value, unit) in self.figures.items()
        ]

    def problems(self) -> str:
        shown = (self.stats.errors + self.lost + self.log_problems)[:30]
        return "\n".join(shown)


def run(
    database_url: str,
    workdir: Path,
    *,
    backend: str,
    vendors: int,
    workers: int,
    seconds: float,
) -> LoadReport:
    """Seed an empty database, serve it, load it, and check every acknowledged save."""
    from tests.support.smtp import SMTPServer

    links = prepare_database(database_url, vendors)
    smtp = SMTPServer()
    smtp.start()
    server = Server(database_url, workdir, workers=workers, smtp_port=smtp.port)
    try:
        server.start()
        stats, elapsed = run_load(server.url, links, seconds)
    finally:
        server.stop()
        smtp.stop()
    lost = check_saves(database_url, stats.acks, stats.submitted)
    report = LoadReport(backend, elapsed, stats, lost, server.log_problems())
    ms = {k: [v * 1000 for v in vals] for k, vals in stats.latencies.items()}
    for kind in ("form_page", "autosave"):
        report.figures[f"{kind} p50"] = (percentile(ms.get(kind, []), 0.50), "ms")
        report.figures[f"{kind} p95"] = (percentile(ms.get(kind, []), 0.95), "ms")
    report.figures["throughput"] = (stats.requests / elapsed, "req/s")
    report.figures["requests"] = (stats.requests, "requests")
    report.figures["saves acknowledged"] = (len(stats.acks), "saves")
    report.figures["conflicts"] = (stats.conflicts, "responses")
    report.figures["submissions"] = (len(stats.submitted), "questionnaires")
    report.figures["5xx"] = (stats.server_errors, "responses")
    report.figures["lock errors"] = (
        sum("database is locked" in line for line in report.log_problems),
        "log lines",
    )
    report.figures["lost saves"] = (len(lost), "saves")
    return report
