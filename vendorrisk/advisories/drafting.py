"""Draft a breach questionnaire from an advisory with the question bank.

From the advisory page the draft opens in the composer (`start_draft_from_advisory`), where the
manager edits it and submits it; `create_draft_from_advisory` stores it directly as an uploaded
file is. Either way it becomes a pending template version that a second vendor manager (or an
administrator) must approve before any campaign can use it.
"""

from __future__ import annotations

from vendorrisk.accounts.models import User
from vendorrisk.audit import services as audit
from vendorrisk.questionnaires import bank, drafts
from vendorrisk.questionnaires.models import TemplateDraft, TemplateVersion
from vendorrisk.questionnaires.services import submit_upload

from .document import AdvisoryDocument, Update
from .models import Advisory
from .services import document_of, timeline

DraftRefused = bank.DraftRefused


def advisory_document(advisory: Advisory) -> AdvisoryDocument:
    """Return what an advisory says, updates included (their key dates move the draft's dates)."""
    updates = tuple(
        Update.model_validate(
            {
                "date": u.published_on,
                "title": u.title,
                "body": u.body,
                "key_dates": u.key_dates,
                "actions": u.actions,
                "affected_questions": u.affected_questions,
            }
        )
        for u in timeline(advisory)
    )
    return document_of(advisory).model_copy(update={"updates": updates})


def draft_yaml(advisory: Advisory) -> tuple[str, str]:
    """Return (template id, YAML text) of the questionnaire the bank drafts for an advisory.

    Raise DraftRefused, with a message naming what the advisory lacks, when it cannot be drafted.
    """
    data = bank.draft_from_advisory(advisory_document(advisory))
    header = (
        f"Drafted from advisory {advisory.slug} with the question bank (questionnaires/bank).\n"
        "Check every question, date and option before approving."
    )
    return data["id"], bank.to_yaml(data, header=header)


def create_draft_from_advisory(advisory: Advisory, actor: User) -> TemplateVersion:
    """Draft a questionnaire for an advisory and store it as a version pending approval.

    Goes through `submit_upload`, so it is checked and stored exactly as an uploaded file is and
    waits for a second person's approval. Raise DraftRefused when the advisory lacks products or
    dates, and UploadRejected when the upload path refuses it (a draft already waiting for
    approval, or nothing changed since the last version).
    """
    template_id, text = draft_yaml(advisory)
    version = submit_upload(text, f"{template_id}.yaml", actor)
    audit.record(
        "advisory.questionnaire_drafted",
        "advisory",
        advisory.id,
        details={"slug": advisory.slug, "template": template_id, "version_id": version.id},
        actor_id=actor.id,
    )
    return version


def start_draft_from_advisory(advisory: Advisory, actor: User) -> TemplateDraft:
    """Draft a questionnaire for an advisory and open it as a composer draft to edit.

    Raise DraftRefused, naming what the advisory lacks, when it cannot be drafted. The draft is
    submitted for approval from the composer, through the same four-eyes path as uploads.
    """
    template_id, text = draft_yaml(advisory)
    draft = drafts.create_from_text(text, actor)
    audit.record(
        "advisory.questionnaire_drafted",
        "advisory",
        advisory.id,
        details={"slug": advisory.slug, "template": template_id, "draft_id": draft.id},
        actor_id=actor.id,
    )
    return draft
