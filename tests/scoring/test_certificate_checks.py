"""The engine judges a certificate sent with a rotation date: the trace says "verified by
certificate" or why not, and a failed or contradicting certificate goes to a reviewer."""

from __future__ import annotations

import dataclasses
import datetime
import json
from pathlib import Path

from tests.scoring.conftest import COMPROMISE, ans, build, question
from tests.support.certs import make_certificate, pem
from vendorrisk.questionnaires.answers import decode_answer, encode_answer
from vendorrisk.questionnaires.certificates import CertificateEvidence, parse_certificate
from vendorrisk.questionnaires.loader import load_template_path
from vendorrisk.scoring import score_response
from vendorrisk.scoring.result import ScoreResult
from vendorrisk.scoring.trace import check_trace

D = datetime.date
GOLDEN = Path(__file__).parent / "golden"
RULE = {"reference": "compromise_date", "steps": [{"within_days": 7, "score": 100}]}
SPEC = {"compromise": "compromise_date"}


def template(**spec):
    return build(
        [
            question("rotated_on", "date", weight=2, date_rule=RULE, certificate={**SPEC, **spec}),
        ]
    )


def evidence_template():
    return build(
        [
            question("rotated_on", "date", weight=2, date_rule=RULE),
            question(
                "new_cert",
                "evidence",
                required=False,
                certificate={**SPEC, "claimed_date": "rotated_on"},
            ),
        ]
    )


EXPIRES, RECEIVED = D(2022, 6, 1), D(2021, 1, 20)


def cert(start, end=EXPIRES, received=RECEIVED, **kwargs) -> CertificateEvidence:
    facts = parse_certificate(pem(make_certificate(start, end, **kwargs)))
    return CertificateEvidence(facts.sha256, received, facts)


def line(result: ScoreResult, qid: str = "rotated_on") -> str:
    return next(e.reason for e in result.trace if e.question_id == qid)


def kinds(result: ScoreResult) -> list[str]:
    return [f.kind for f in result.review_flags]


def test_a_certificate_issued_after_the_compromise_verifies_the_date():
    answer = ans(D(2021, 1, 15), certificate=cert(D(2021, 1, 14)))
    result = score_response(template(), {"rotated_on": answer})
    assert "verified by certificate (issued 2021-01-14, after the compromise)" in line(result)
    assert kinds(result) == [] and check_trace(result) == []


def test_a_certificate_from_before_the_compromise_goes_to_a_reviewer():
    answer = ans(D(2021, 1, 15), certificate=cert(D(2020, 5, 1)))
    result = score_response(template(), {"rotated_on": answer})
    assert "not verified by certificate: issued 2020-05-01, before the compromise" in line(result)
    [flag] = result.review_flags
    assert (flag.kind, flag.question_ids) == ("certificate", ("rotated_on",))
    assert "contradicts the date claimed" in flag.reason
    assert result.overall == 100  # points are the date rule's; the reviewer decides


def test_a_certificate_issued_after_the_claimed_date_contradicts_it():
    answer = ans(D(2021, 1, 15), certificate=cert(D(2021, 3, 2), received=D(2021, 3, 5)))
    result = score_response(template(), {"rotated_on": answer})
    assert "after the claimed rotation on 2021-01-15" in line(result)
    assert kinds(result) == ["certificate"]


def test_an_expired_or_weak_certificate_fails_a_check():
    expired = ans(D(2021, 1, 15), certificate=cert(D(2021, 1, 13), end=D(2021, 1, 19)))
    result = score_response(template(), {"rotated_on": expired})
    assert "expired on 2021-01-19" in line(result)
    assert "fails a check" in result.review_flags[0].reason
    weak = ans(D(2021, 1, 15), certificate=cert(D(2021, 1, 13), size=1024))
    result = score_response(template(), {"rotated_on": weak})
    assert "RSA 1024-bit key is below the RSA floor of 2048 bits" in line(result)
    assert kinds(result) == ["certificate"]


def test_the_key_floor_comes_from_the_question():
    answer = ans(D(2021, 1, 15), certificate=cert(D(2021, 1, 13)))
    result = score_response(template(min_rsa_bits=3072), {"rotated_on": answer})
    assert "below the RSA floor of 3072 bits" in line(result)


def test_without_a_certificate_the_trace_says_so_and_nothing_is_flagged():
    result = score_response(template(), {"rotated_on": ans(D(2021, 1, 15))})
    assert line(result).endswith("; not verified by certificate: none was sent")
    thumb = CertificateEvidence("cd" * 32, D(2021, 1, 20))
    result = score_response(template(), {"rotated_on": ans(D(2021, 1, 15), certificate=thumb)})
    assert "only its SHA-256 thumbprint was given (cdcdcdcdcdcdcdcd...)" in line(result)
    assert kinds(result) == []


def test_an_evidence_question_backs_the_date_it_names():
    answers = {
        "rotated_on": ans(D(2021, 1, 15)),
        "new_cert": ans(None, certificate=cert(D(2020, 5, 1)), evidence_hashes=("ab" * 32,)),
    }
    result = score_response(evidence_template(), answers)
    [flag] = result.review_flags
    assert flag.question_ids == ("new_cert", "rotated_on")
    assert "before the compromise" in line(result, "new_cert")


def test_the_result_is_recomputed_identically_from_its_stored_form():
    answer = ans(D(2021, 1, 15), certificate=cert(D(2020, 5, 1)))
    assert decode_answer(encode_answer(answer)) == answer
    result = score_response(template(), {"rotated_on": answer}, {"compromise_date": COMPROMISE})
    stored = ScoreResult.from_dict(result.to_dict())
    again = score_response(template(), stored.answers, stored.reference_dates)
    assert again == result


def test_without_a_compromise_date_only_validity_and_key_are_checked():
    baseline = build(
        [question("q"), question("current", "evidence", required=False, certificate={})]
    )
    good = ans(None, certificate=cert(D(2019, 1, 1)), evidence_hashes=("ab" * 32,))
    result = score_response(baseline, {"current": good})
    assert line(result, "current").endswith("; verified by certificate")
    weak = ans(None, certificate=cert(D(2019, 1, 1), size=1024), evidence_hashes=("ab" * 32,))
    assert kinds(score_response(baseline, {"current": weak})) == ["certificate"]


def test_the_shipped_templates_ask_for_the_rotated_certificate():
    """Mimecast's new connection date and the lifecycle questionnaire's current certificate
    are checked; a Mimecast certificate from before the disclosure goes to a reviewer."""
    root = Path(__file__).parents[2] / "questionnaires"
    mimecast = load_template_path(root / "mimecast-certificate-compromise-2021.yaml")
    lifecycle = load_template_path(root / "certificate-and-key-lifecycle.yaml")
    assert mimecast.question("new_connection_date").certificate.compromise == "compromise_date"
    assert lifecycle.question("evidence_current_certificate").certificate is not None
    golden = json.loads((GOLDEN / "mimecast-certificate-compromise-2021.json").read_text())
    inputs = golden["cases"]["best"]["inputs"]
    answers = {qid: decode_answer(a) for qid, a in inputs["answers"].items()}
    claimed = answers["new_connection_date"]
    answers["new_connection_date"] = dataclasses.replace(claimed, certificate=cert(D(2020, 11, 2)))
    result = score_response(mimecast, answers)
    assert "certificate" in kinds(result)
    assert "before the compromise on 2021-01-12" in line(result, "new_connection_date")
