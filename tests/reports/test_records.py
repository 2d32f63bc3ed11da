"""Reports as records: tagged PDF/A-3 with the record attached, signed, and checked by the CLI.

Read back as an auditor would: `pdfinfo` says the file is tagged, the XMP names PDF/A-3, the
embedded scores equal the API's result for the same assignment, the signature holds, and one
byte changed anywhere makes `flask reports verify` fail.
"""

import io
import json
import re
import subprocess

import pytest
from pypdf import PdfReader

from tests.api.conftest import Api
from tests.reports.helpers import build, download, pages_text
from tests.support.certs import signing_pair

RECORD_FILES = {"answers.json", "scores.json", "findings.json", "evidence.json", "manifest.json"}
PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def signing_key(app, monkeypatch, tmp_path):
    """The firm's signing key and certificate, configured as operations would."""
    folder = tmp_path / "pki"
    folder.mkdir()
    key_path, cert_path = signing_pair(folder, passphrase=PASSPHRASE)
    monkeypatch.setitem(app.config, "REPORT_SIGNING_KEY", str(key_path))
    monkeypatch.setitem(app.config, "REPORT_SIGNING_CERT", str(cert_path))
    monkeypatch.setitem(app.config, "REPORT_SIGNING_PASSPHRASE", PASSPHRASE)
    return cert_path


def _vendor_pdf(client, auth, assessment) -> bytes:
    auth.login("compliance")
    _, job_id = build(client, f"/reports/vendors/{assessment.vendor_id}/pdf")
    return download(client, job_id)


def _verify(runner, path, *args):
    return runner.invoke(args=["reports", "verify", str(path), *args])


def test_pdfinfo_says_tagged_and_the_xmp_names_pdf_a_3(client, auth, assessment, tmp_path):
    """The report is a tagged PDF with the PDF/A-3 (level A) identification in its XMP."""
    path = tmp_path / "report.pdf"
    path.write_bytes(_vendor_pdf(client, auth, assessment))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    assert re.search(r"^Tagged:\s+yes$", info.stdout, re.M), info.stdout
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert re.search(rb'pdfaid:part(="|>)3', xmp)
    assert re.search(rb'pdfaid:conformance(="|>)A', xmp)
    assert "/AF" in reader.trailer["/Root"]  # the record files are PDF/A-3 associated files


def test_the_report_also_claims_pdf_ua_1_on_its_structure_tree(client, auth, assessment):
    """Screen-reader users' claim: PDF/UA-1 identification in the same XMP description as the
    PDF/A one, with what PDF/UA-1 asks of the catalog (structure tree, marked content, language,
    title shown in the window, a dc:title)."""
    reader = PdfReader(io.BytesIO(_vendor_pdf(client, auth, assessment)))
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data()
    description = re.search(rb"<rdf:Description[^>]*pdfaid:part[^>]*>", xmp)
    assert description and re.search(rb'pdfuaid:part="1"', description.group(0)), xmp[:600]
    assert b"http://www.aiim.org/pdfua/ns/id/" in xmp
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert str(root["/Lang"]) and root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert b"<dc:title>" in xmp


def test_the_embedded_record_equals_the_api_result(client, auth, assessment):
    """scores.json holds, for the assignment, exactly what /api/v1/assignments/<id>/result
    answers; answers.json holds the revision's answers and attestation hash."""
    pdf = _vendor_pdf(client, auth, assessment)
    files = PdfReader(io.BytesIO(pdf)).attachments
    assert set(files) == RECORD_FILES
    scores = json.loads(files["scores.json"][0])
    api = Api(client)
    expected = api.get(f"/assignments/{assessment.id}/result", api.token("compliance")).get_json()
    (embedded,) = [s for s in scores if s["assignment_id"] == assessment.id]
    assert embedded == expected
    revision = assessment.response.latest_submitted
    (answers,) = json.loads(files["answers.json"][0])
    assert answers["answers"] == revision.answers
    assert answers["attestation_sha256"] == revision.attestation_hash
    evidence = json.loads(files["evidence.json"][0])
    assert {e["sha256"] for e in evidence} == {e["sha256"] for e in revision.evidence_index}
    findings = json.loads(files["findings.json"][0])
    accepted = [f for f in findings if f["state"] == "risk_accepted"]
    assert accepted and accepted[0]["acceptance"]["reason"] == "Compensating control in place."
    manifest = json.loads(files["manifest.json"][0])
    assert manifest["document_id"] in pages_text(pdf)[0]


def test_a_signed_report_verifies_and_any_changed_byte_fails(
    client, auth, assessment, signing_key, runner, tmp_path
):
    """The signature covers the whole file: a byte changed anywhere (header, page content,
    record, signature, its zero padding, trailer) makes `reports verify` fail."""
    data = _vendor_pdf(client, auth, assessment)
    assert "Fabrikam Compliance Records" in pages_text(data)[0]  # the cover names the signer
    path = tmp_path / "signed.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    assert re.search(r"^PDF version:\s+1\.7$", info.stdout, re.M), info.stdout  # still PDF/A-3
    assert re.search(r"^Tagged:\s+yes$", info.stdout, re.M)
    result = _verify(runner, path, "--trust", str(signing_key))
    assert result.exit_code == 0, result.output
    assert "signature: intact" in result.output and "PDF/A-3a" in result.output
    assert "PDF/UA-1 identification, tagged" in result.output
    assert "attestation hashes recomputed" in result.output

    contents = data.index(b"/Contents <") + len(b"/Contents <")
    end = data.index(b">", contents)
    positions = {
        "header": 5,
        "a third in": len(data) // 3,
        "the middle": len(data) // 2,
        "the signature": contents + 40,
        "the signature's padding": end - 20,
        "the trailer": len(data) - 8,
    }
    for where, at in positions.items():
        changed = bytearray(data)
        changed[at] ^= 0x01
        tampered = tmp_path / f"tampered-{at}.pdf"
        tampered.write_bytes(bytes(changed))
        result = _verify(runner, tampered, "--trust", str(signing_key))
        assert result.exit_code != 0, (where, result.output)
        assert "NOT VERIFIED" in result.output, (where, result.output)


def test_a_signature_by_an_untrusted_key_fails(
    client, auth, assessment, signing_key, runner, tmp_path
):
    """A certificate that is not among the trust roots is named and refused."""
    data = _vendor_pdf(client, auth, assessment)
    path = tmp_path / "signed.pdf"
    path.write_bytes(data)
    other_folder = tmp_path / "other"
    other_folder.mkdir()
    _, other_cert = signing_pair(other_folder, "Someone Else")
    client.application.config["REPORT_SIGNING_CERT"] = None  # a reader without our key
    client.application.config["REPORT_SIGNING_KEY"] = None
    result = _verify(runner, path, "--trust", str(other_cert))
    assert result.exit_code != 0
    assert "NOT trusted" in result.output


def test_an_unsigned_report_says_so_on_its_cover_and_does_not_verify(
    client, auth, assessment, runner, tmp_path
):
    """With no key configured the cover says "Not signed"; verify fails unless told to accept
    an unsigned report, and still checks the record's hashes."""
    data = _vendor_pdf(client, auth, assessment)
    cover = pages_text(data)[0]
    assert "Not signed." in cover and "No signing key is configured" in cover
    path = tmp_path / "unsigned.pdf"
    path.write_bytes(data)
    result = _verify(runner, path)
    assert result.exit_code == 1
    assert "signature: none" in result.output
    accepted = _verify(runner, path, "--allow-unsigned")
    assert accepted.exit_code == 0, accepted.output
    assert "scores.json matches its SHA-256" in accepted.output


def test_the_campaign_report_is_a_record_too(
    client, auth, assessment, signing_key, runner, tmp_path
):
    """The portfolio PDF is PDF/A-3 with every assignment's result embedded, and signed."""
    auth.login("compliance")
    _, job_id = build(client, f"/reports/campaigns/{assessment.campaign_id}/pdf")
    data = download(client, job_id)
    files = PdfReader(io.BytesIO(data)).attachments
    assert set(files) == RECORD_FILES
    api = Api(client)
    expected = api.get(f"/assignments/{assessment.id}/result", api.token("compliance")).get_json()
    assert json.loads(files["scores.json"][0]) == [expected]
    path = tmp_path / "campaign.pdf"
    path.write_bytes(data)
    result = _verify(runner, path, "--trust", str(signing_key))
    assert result.exit_code == 0, result.output


def test_signing_and_verifying_work_while_the_calling_threads_event_loop_runs(
    app, signing_key, tmp_path
):
    """pyHanko runs its coroutines with asyncio.run; a report built in a thread that drives an
    event loop (an async worker, a browser automation session) must still be signed and
    checked, not fail with "asyncio.run() cannot be called from a running event loop"."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from vendorrisk.reports import pdf, signing, verify

    with app.app_context():
        key = signing.configured()
        assert key is not None
        plain = pdf.render_inline(
            "<p>Signed inside a running loop.</p>", timeout=60, max_bytes=10_000_000
        ).pdf
    roots = verify.load_roots([signing_key])

    async def inside_a_loop() -> tuple[bytes, bool]:
        with app.app_context():
            signed = signing.sign(plain, key, reason="test")
            verdict = verify.check(signed, roots)
        return signed, any("signature" in line and ok for ok, line in verdict.lines)

    # A thread of its own drives the loop, so the test does not depend on the state of this
    # one (a browser session earlier in the run may hold a loop here).
    with ThreadPoolExecutor(max_workers=1) as pool:
        signed, signature_ok = pool.submit(lambda: asyncio.run(inside_a_loop())).result()
    assert signed.startswith(b"%PDF") and len(signed) > len(plain)
    assert signature_ok
