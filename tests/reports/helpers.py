"""Reading reports back the way a reader would: the PDF's text, page by page."""

import io
import random
import re
from datetime import date, timedelta

from openpyxl import load_workbook
from pypdf import PdfReader

from tests.conftest import make_user
from tests.reports import seed
from tests.reports.conftest import small_answers
from tests.support.factories import approved_version, create_campaign, make_vendor
from vendorrisk.extensions import db


def pages_text(pdf: bytes) -> list[str]:
    """Return the text of each page of a PDF, whitespace folded."""
    reader = PdfReader(io.BytesIO(pdf))
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in reader.pages]


def joined(pdf: bytes) -> str:
    """Return the text of the whole PDF, with line breaks inside long tokens removed."""
    return " ".join(pages_text(pdf))


def build(client, path: str, data: dict | None = None):
    """Ask for a report (the inline runner builds it) and return (job page response, job id)."""
    response = client.post(path, data=data or {})
    assert response.status_code == 302, response.text[:300]
    job_id = int(response.location.rstrip("/").split("/")[-1])
    return client.get(response.location), job_id


def download(client, job_id: int) -> bytes:
    """Download a built report and return its bytes."""
    response = client.get(f"/reports/jobs/{job_id}/download")
    assert response.status_code == 200, response.text[:300]
    assert response.mimetype == "application/pdf"
    return response.data


def squash(text: str) -> str:
    """Remove all whitespace, so text a table cell wrapped still matches."""
    return re.sub(r"\s+", "", text)


# Vendor answers a spreadsheet would run as formulas if they were written as typed.
HYPERLINK = '=HYPERLINK("http://x","y")'
AT_SUM = "@SUM(1+1)"


def workbook_of(response):
    """Check a workbook download is a sniff-proof attachment and open it."""
    assert response.status_code == 200, response.text[:300]
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    return load_workbook(io.BytesIO(response.data))


def rows_of(sheet) -> list[dict]:
    """Return a sheet's rows as dicts keyed by its header row."""
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def formula_campaign():
    """A campaign two vendors answered with formula-looking text, submitted."""
    owner = make_user("manager")
    first = make_vendor("Formula Vendor One", owner=owner)
    second = make_vendor("Formula Vendor Two", owner=owner)
    campaign = create_campaign(
        approved_version(), [first, second], actor=owner, due_date=date.today() + timedelta(days=5)
    )
    rng = random.Random(2)
    seed.submit(campaign.assignments[0], small_answers(notes=HYPERLINK, comment="-1 day"), rng=rng)
    seed.submit(
        campaign.assignments[1], small_answers(notes=AT_SUM, comment="+44 20 7946"), rng=rng
    )
    db.session.flush()
    return campaign
