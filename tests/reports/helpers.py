"""Reading reports back the way a reader would: the PDF's text, page by page."""

import io
import re

from pypdf import PdfReader


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
