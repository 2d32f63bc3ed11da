"""Helpers for the portal tests: open a link, read a section page, save a section."""

from __future__ import annotations

import io
import re
import zipfile

from sqlalchemy import select

from tests.support.factories import portal_path
from vendorrisk.campaigns.models import Evidence, Response
from vendorrisk.extensions import db
from vendorrisk.questionnaires.formfactory import field_names

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def n(question_id: str) -> str:
    """Return the answer field's name of a question."""
    return field_names(question_id).value


def f(question_id: str):
    """Return every field name of a question."""
    return field_names(question_id)


def open_portal(client, recipient) -> int:
    """Open a recipient's link and press Continue; return the assignment id."""
    path = portal_path(recipient)
    assert client.get(path).status_code == 200
    response = client.post(path, data={})
    assert response.status_code == 302, response.text[:300]
    return recipient.assignment_id


def draft_of(assignment) -> dict:
    """Return the saved draft of an assignment's response, read afresh from the database."""
    db.session.expire_all()
    return db.session.get(Response, assignment.response.id).draft


def section_url(assignment_id: int, index: int) -> str:
    return f"/portal/a/{assignment_id}/s/{index}"


def page_version(html: str) -> int:
    """Return the response version a section page was built on."""
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match, "no version field on the page"
    return int(match.group(1))


def save(
    client,
    assignment_id: int,
    index: int,
    data: dict,
    *,
    action: str = "stay",
    version: int | None = None,
    headers=None,
    csrf: bool = True,
):
    """Post one section (reading the page's version first unless given)."""
    if version is None:
        version = page_version(client.get(section_url(assignment_id, index)).text)
    body = {"version": str(version), "action": action, **data}
    return client.post(
        section_url(assignment_id, index),
        data=body,
        headers=headers or {},
        content_type="multipart/form-data",
        csrf=csrf,
    )


def pdf_file(name: str = "report.pdf", content: bytes = PDF):
    """Return a (stream, filename) pair the test client uploads as a file."""
    return (io.BytesIO(content), name)


# Answers that complete the small questionnaire without any file, section by section.
COMPLETE = [
    {n("uses_connector"): "yes", n("data_accessed"): "no"},
    {n("rotated"): "yes", n("rotated_on"): "2021-01-15", n("credentials_reset"): "some"},
    {n("notify_hours"): "24", f("soc2_report").reason: "Our first audit is under way."},
]


def answer_everything(client, assignment_id: int, sections=COMPLETE) -> None:
    """Save every section of the small questionnaire with complete answers."""
    for index, data in enumerate(sections):
        response = save(client, assignment_id, index, data, action="next")
        assert response.status_code == 302, response.text[:1000]


def review_version(html: str) -> str:
    """Return the version the review page's attestation form carries."""
    match = re.search(r'name="version" type="hidden" value="(\d+)"', html)
    assert match, "no version on the review page"
    return match.group(1)


def submit(client, assignment_id: int, name: str = "Sam Vendor", title: str = "CISO"):
    """Attest and submit from the review page."""
    page = client.get(f"/portal/a/{assignment_id}/submit").text
    return client.post(
        f"/portal/a/{assignment_id}/submit",
        data={
            "version": review_version(page),
            "name": name,
            "title": title,
            "confirm": "y",
        },
    )


def office_file(names: dict[str, bytes]) -> bytes:
    """Return a ZIP container (the shape of DOCX and XLSX) holding the named parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in names.items():
            archive.writestr(name, content)
    return buffer.getvalue()


# The smallest parts that make a ZIP a Word document.
DOCX = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}


def upload_evidence(client, aid, filename, content, **extra):
    """Attach a file to the soc2_report evidence question (section 3)."""
    return save(
        client,
        aid,
        2,
        {
            n("soc2_report"): (io.BytesIO(content), filename),
            n("notes"): "Typed with the upload",
            **extra,
        },
    )


def all_evidence() -> list[Evidence]:
    """Return every evidence row, read afresh, oldest first."""
    db.session.expire_all()
    return list(db.session.scalars(select(Evidence).order_by(Evidence.id)))


def stored_files(folder) -> list[str]:
    """Return the names of the files in the upload folder."""
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []
