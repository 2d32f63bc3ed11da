"""Staff entering a workbook the vendor sent back by e-mail, on the vendor's behalf.

The workbook goes through the same reading and validation as the portal upload; when every cell
is valid its answers become the draft (attributed to the staff member) and the file is kept as
evidence with its SHA-256; earlier answers it returns as they were written count as confirmed by
the vendor through the workbook. Staff then attest as having received it from a named person by a
named channel, and submit: the revision, its audit entry and the review page say so.
"""

from __future__ import annotations

import io

from sqlalchemy import select

from vendorrisk.audit import services as audit
from vendorrisk.campaigns import reuse
from vendorrisk.campaigns.models import Assignment, Revision
from vendorrisk.core import storage
from vendorrisk.extensions import db
from vendorrisk.portal import services
from vendorrisk.portal import workbook as portal_workbook
from vendorrisk.portal.delegation_models import StaffEntry

CHANNELS = {"email": "e-mail", "post": "post", "file_transfer": "file transfer"}


def pending_entry(assignment: Assignment) -> StaffEntry | None:
    """Return the latest workbook staff entered that is not submitted yet, if any."""
    return db.session.scalar(
        select(StaffEntry)
        .where(StaffEntry.assignment_id == assignment.id, StaffEntry.revision_id.is_(None))
        .order_by(StaffEntry.id.desc())
        .limit(1)
    )


def entry_of(revision: Revision | None) -> StaffEntry | None:
    """Return the staff entry a revision was submitted from (None: the vendor submitted it)."""
    if revision is None:
        return None
    return db.session.scalar(select(StaffEntry).where(StaffEntry.revision_id == revision.id))


def enter_workbook(
    assignment: Assignment, user, data: bytes, filename: str
) -> portal_workbook.Checked | StaffEntry:
    """Validate a received workbook; when every cell is valid, keep it and fill the draft.

    Returns the cell errors (nothing kept) or the new entry. Raises WorkbookRefused for a file
    refused as a whole and storage.UploadRejected for one that cannot be kept.
    """
    checked = portal_workbook.check_workbook(assignment, data, filename)
    if checked.errors:
        return checked
    stored = storage.save(io.BytesIO(data), filename, max_bytes=len(data) + 1)
    try:
        response = assignment.response
        services.save_answers(
            response,
            None,
            checked.question_ids,
            checked.answers,
            response.version,
            user_id=user.id,
        )
        # The vendor returned these earlier answers as they were written: confirmed by the vendor
        # through the workbook, as in the portal upload (the audit entry names the staff member).
        reuse.confirm_returned(response, checked.kept, None)
        entry = StaffEntry(
            assignment_id=assignment.id,
            user_id=user.id,
            filename=storage.clean_filename(filename),
            stored_name=stored.stored_name,
            size=stored.size,
            sha256=stored.sha256,
            questions=len([q for q in checked.question_ids if q in checked.answers]),
        )
        db.session.add(entry)
        db.session.flush()
    except BaseException:
        storage.remove(stored.stored_name)
        raise
    audit.record(
        "assignment.workbook_entered",
        "staff_entry",
        entry.id,
        details={
            "assignment": assignment.id,
            "sha256": stored.sha256,
            "questions": entry.questions,
        },
    )
    return entry


def attestation_text(user, received_from: str, channel: str) -> str:
    """Return the attestation of answers staff entered on the vendor's behalf."""
    return (
        f"Received from {received_from.strip()} by {CHANNELS[channel]}; "
        f"entered by {user.name} on the vendor's behalf."
    )


def submit(
    assignment: Assignment,
    entry: StaffEntry,
    user,
    *,
    received_from: str,
    channel: str,
    expected_version: int,
) -> Revision:
    """Attest and submit the entered answers on the vendor's behalf."""
    text = attestation_text(user, received_from, channel)
    revision = services.submit(
        assignment,
        None,
        name=user.name,
        title=f"received from {received_from.strip()} by {CHANNELS[channel]}",
        expected_version=expected_version,
        on_behalf={"staff_entry": entry.id, "received_via": channel, "sha256": entry.sha256},
    )
    entry.revision_id = revision.id
    entry.received_from = received_from.strip()
    entry.received_via = channel
    entry.attestation = text
    return revision
