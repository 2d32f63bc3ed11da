"""Template drafts composed in the browser: create, edit one operation at a time, submit.

A draft is YAML text. Every edit is applied to the data the text holds, written back as YAML
and checked by the one validator (`check_source`); an edit the validator refuses is still
saved, with its messages, so nothing typed is lost. Submitting hands the text to the same
four-eyes path as an upload (`services.submit_upload`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from vendorrisk.accounts.models import User
from vendorrisk.audit import services as audit
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db

from . import bank, services
from .loader import YamlLoadError, load_yaml_text
from .models import TemplateDraft, TemplateVersion
from .schema import FINDING_TITLE_MAX
from .schema import Template as ParsedTemplate
from .validator import check_source

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,118}[a-z0-9]$")
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
KINDS = ("incident", "baseline")
OPERATORS = {"in": "is one of", "not_in": "is none of"}

# The built-in question blocks a draft can add (the question bank adds more when present).
_YES_NO = [
    {"value": "yes", "label": "Yes", "score": 100},
    {"value": "no", "label": "No", "score": 0},
    {"value": "unsure", "label": "Not sure", "score": 0},
]
QUESTION_TYPES: dict[str, dict[str, Any]] = {
    "yes_no": {"label": "Yes / no / not sure (scored)", "type": "yes_no", "options": _YES_NO},
    "single_choice": {
        "label": "One choice of several (scored)",
        "type": "single_choice",
        "options": [
            {"value": "done", "label": "Done", "score": 100},
            {"value": "in_progress", "label": "In progress", "score": 50},
            {"value": "not_started", "label": "Not started", "score": 0},
        ],
    },
    "date": {"label": "A date (not scored)", "type": "date", "weight": 0},
    "number": {"label": "A number (not scored)", "type": "number", "weight": 0},
    "text": {"label": "Free text (not scored)", "type": "long_text", "weight": 0},
}
# The kinds a new question is scored by (the others carry weight 0).
SCORED_KINDS = tuple(key for key, block in QUESTION_TYPES.items() if "weight" not in block)
# Supplier incident response: the control every breach questionnaire maps to until edited.
DEFAULT_FRAMEWORK = "NIST CSF 2.0 GV.SC-08"
DEFAULT_REMEDIATION = "Tell us what you will do about this, and by when."
EDITABLE_TEXT = ("text", "help", "category", "finding_title", "remediation")
# The question keys whose messages the editor shows beside their own field.
FIELD_KEYS = frozenset({"finding_title"})


class DraftConflict(RuntimeError):
    """Someone saved the draft since this editor loaded it; reload and edit again."""


class EditRefused(ValueError):
    """An edit that cannot be applied at all, with a message per form field."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Message:
    """One validator message on a draft, with the question (if any) it concerns."""

    line: int | None
    question_id: str | None
    reason: str
    field: str | None = None  # the question's key it concerns, when the editor has a field for it


# --- look-ups -----------------------------------------------------------------------------------


def get_draft_or_404(draft_id: int) -> TemplateDraft:
    """Return the draft or answer 404."""
    return db.session.get(TemplateDraft, draft_id) or abort(404)


def list_drafts() -> list[TemplateDraft]:
    """Return every draft, most recently edited first."""
    return list(
        db.session.scalars(
            select(TemplateDraft)
            .options(selectinload(TemplateDraft.updated_by))
            .order_by(TemplateDraft.updated_at.desc())
        )
    )


def messages_of(draft: TemplateDraft) -> list[Message]:
    """Return the draft's stored validator messages."""
    return [
        Message(m.get("line"), m.get("question_id"), m["reason"], m.get("field"))
        for m in draft.messages
    ]


def messages_by_question(draft: TemplateDraft) -> dict[str | None, list[Message]]:
    """Group the messages by question id (None: the template or a section)."""
    grouped: dict[str | None, list[Message]] = {}
    for m in messages_of(draft):
        grouped.setdefault(m.question_id, []).append(m)
    return grouped


def parsed_draft(draft: TemplateDraft) -> ParsedTemplate | None:
    """Return the typed template of a valid draft (None while the validator refuses it)."""
    return check_source(draft.yaml_text, f"{draft.slug}.yaml").template


def draft_data(draft: TemplateDraft) -> dict | None:
    """Return the draft's YAML as editable data, or None when the text is not a YAML mapping."""
    return draft_data_from_text(draft.yaml_text)


def _mutable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _mutable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_mutable(v) for v in value]
    return value


def dump(data: dict) -> str:
    """Write draft data back as YAML, keys in the order a person wrote them."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


# --- creating -----------------------------------------------------------------------------------


def _question_key(path: tuple) -> str | None:
    """Return the key of a question a validator path ends in, e.g. 'finding_title'."""
    if len(path) >= 5 and path[0] == "sections" and path[2] == "questions":
        key = path[4]
        return key if isinstance(key, str) else None
    return None


def _check(text: str, slug: str) -> tuple[list[dict], ParsedTemplate | None]:
    checked = check_source(text, f"{slug}.yaml")
    messages = []
    for e in checked.errors:
        message = {"line": e.line, "question_id": e.question_id, "reason": e.reason}
        key = _question_key(e.path) if e.question_id else None
        if key in FIELD_KEYS:
            message["field"] = key
        messages.append(message)
    return messages, checked.template


def _new(text: str, user: User, source: TemplateVersion | None = None) -> TemplateDraft:
    data = draft_data_from_text(text)
    slug = str(data.get("id") or "draft") if data else "draft"
    title = str(data.get("title") or slug) if data else slug
    messages, _ = _check(text, slug)
    now = utcnow()
    draft = TemplateDraft(
        slug=slug[:120],
        title=title[:300],
        yaml_text=text,
        messages=messages,
        created_at=now,
        updated_at=now,
        created_by_id=user.id,
        updated_by_id=user.id,
        source_version_id=source.id if source else None,
    )
    db.session.add(draft)
    db.session.flush()
    audit.record("template_draft.create", "template_draft", draft.id, details={"slug": draft.slug})
    return draft


def draft_data_from_text(text: str) -> dict | None:
    """Return YAML text as editable data, or None when it is not a YAML mapping."""
    try:
        data = load_yaml_text(text).data
    except YamlLoadError:
        return None
    return _mutable(data) if isinstance(data, dict) else None


def create_empty(slug: str, title: str, kind: str, user: User) -> TemplateDraft:
    """Start a draft with one section and one yes/no question, ready to be edited."""
    slug, title = slug.strip(), title.strip()
    errors = {}
    if not SLUG.match(slug):
        errors["slug"] = (
            "Use 3 to 120 lower-case letters, digits and hyphens, e.g. acme-breach-2026."
        )
    if not title:
        errors["title"] = "Give the questionnaire a title."
    if kind not in KINDS:
        errors["kind"] = "Choose incident or baseline."
    if errors:
        raise EditRefused(errors)
    category = "incident_readiness" if kind == "incident" else "security"
    data: dict[str, Any] = {
        "id": slug,
        "kind": kind,
        "title": title,
        "categories": [{"id": category, "title": "Incident readiness", "weight": 1}],
        "sections": [
            {
                "id": "response",
                "title": "Your response",
                "questions": [
                    _question(
                        "q1", "Were you affected?", "yes_no", category, "Exposure to the incident"
                    )
                ],
            }
        ],
    }
    if kind == "incident":
        data["categories"].insert(
            0, {"id": "certificate_rotation", "title": "Credential rotation", "weight": 1}
        )
        data["sections"][0]["questions"].append(
            _question(
                "q2",
                "Have you rotated affected credentials?",
                "yes_no",
                "certificate_rotation",
                "Affected credentials not rotated",
            )
        )
    return _new(dump(data), user)


def create_from_version(version: TemplateVersion, user: User) -> TemplateDraft:
    """Clone a template version into a new draft (clone-and-edit)."""
    return _new(version.yaml_text, user, source=version)


def create_from_text(text: str, user: User) -> TemplateDraft:
    """Start a draft from YAML text (pasted, or built by another service); kept even if invalid."""
    return _new(text, user)


# --- editing ------------------------------------------------------------------------------------


def _question(
    qid: str, text: str, kind: str, category: str | None, finding_title: str | None = None
) -> dict[str, Any]:
    block = QUESTION_TYPES[kind]
    question: dict[str, Any] = {"id": qid, "text": text, "type": block["type"]}
    if "options" in block:
        question["options"] = [dict(o) for o in block["options"]]
    if "weight" in block:
        question["weight"] = block["weight"]
    else:
        if category:
            question["category"] = category
        if finding_title:
            question["finding_title"] = finding_title
        question["remediation"] = DEFAULT_REMEDIATION
    question["frameworks"] = [DEFAULT_FRAMEWORK]
    return question


def _locate(data: dict, qid: str) -> tuple[list, int]:
    for section in data.get("sections") or []:
        questions: list = (section.get("questions") if isinstance(section, dict) else None) or []
        for i, q in enumerate(questions):
            if isinstance(q, dict) and q.get("id") == qid:
                return questions, i
    raise EditRefused({"question": f"There is no question '{qid}' in this draft."})


def _section(data: dict, sid: str) -> tuple[list, int]:
    sections = data.get("sections") or []
    for i, s in enumerate(sections):
        if isinstance(s, dict) and s.get("id") == sid:
            return sections, i
    raise EditRefused({"section": f"There is no section '{sid}' in this draft."})


def _one(form: Mapping[str, Any], key: str) -> str:
    value = form.get(key, "")
    return (value if isinstance(value, str) else str(value)).strip()


def _many(form: Mapping[str, Any], key: str) -> list[str]:
    getlist = getattr(form, "getlist", None)
    values = getlist(key) if getlist else form.get(key, [])
    if isinstance(values, str):
        values = [values]
    return [v.strip() for v in values if v and v.strip()]


def _number(text: str) -> float | int | str:
    # Not a number: kept as typed, so the validator's message explains it beside the field.
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() else value


def _move(items: list, index: int, direction: str) -> None:
    target = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down"):
        raise EditRefused({"direction": "Move up or down."})
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]


def _op_move_question(data: dict, form: Mapping[str, Any]) -> None:
    questions, i = _locate(data, _one(form, "question"))
    _move(questions, i, _one(form, "direction"))


def _op_move_section(data: dict, form: Mapping[str, Any]) -> None:
    sections, i = _section(data, _one(form, "section"))
    _move(sections, i, _one(form, "direction"))


def _op_reorder(data: dict, form: Mapping[str, Any]) -> None:
    """Put a section's questions in the given order (drag and drop sends the whole order)."""
    sections, i = _section(data, _one(form, "section"))
    questions = sections[i].get("questions") or []
    order = [q for part in _many(form, "order") for q in re.split(r"[\s,]+", part) if q]
    by_id = {str(q.get("id")): q for q in questions if isinstance(q, dict)}
    if sorted(order) != sorted(by_id):
        raise EditRefused({"order": "The new order must name each question of the section once."})
    sections[i]["questions"] = [by_id[q] for q in order]


def _op_add_question(data: dict, form: Mapping[str, Any]) -> None:
    sections, i = _section(data, _one(form, "section"))
    kind, qid, text = _one(form, "type"), _one(form, "new_id"), _one(form, "text")
    title = " ".join(_one(form, "finding_title").split())
    errors = {}
    if kind not in QUESTION_TYPES:
        errors["type"] = "Choose a kind of question."
    if not IDENTIFIER.match(qid):
        errors["new_id"] = "Use lower-case letters, digits and underscores, starting with a letter."
    if not text:
        errors["text"] = "Write the question."
    if kind in SCORED_KINDS and not title:
        errors["finding_title"] = (
            "A scored question needs a finding title: the short name of the gap a low score "
            "reveals, e.g. \u201cKeys not rotated\u201d."
        )
    elif len(title) > FINDING_TITLE_MAX:
        errors["finding_title"] = (
            f"Keep the finding title to {FINDING_TITLE_MAX} characters (it has {len(title)})."
        )
    if errors:
        raise EditRefused(errors)
    categories = [c.get("id") for c in data.get("categories") or [] if isinstance(c, dict)]
    category = _one(form, "category") or (categories[-1] if categories else None)
    sections[i].setdefault("questions", []).append(_question(qid, text, kind, category, title))


DATE_ROLE_LABELS = {
    "disclosure": "The day the compromise was disclosed",
    "exploitation": "The first day the flaw was exploited",
}
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def _filled(value: Any, values: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), value)
    if isinstance(value, Mapping):
        return {k: _filled(v, values) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_filled(v, values) for v in value]
    return value


def _refers_to(condition: Any) -> set[str]:
    """Return the question ids a condition names."""
    if not isinstance(condition, Mapping):
        return set()
    refs = {str(condition["question"])} if "question" in condition else set()
    for key in ("all", "any"):
        for sub in condition.get(key) or ():
            refs |= _refers_to(sub)
    return refs | _refers_to(condition.get("not"))


def bank_blocks() -> dict[str, Any]:
    """Return the question bank's blocks by id (empty when the bank cannot be read)."""
    try:
        return bank.load_bank()
    except bank.BankError:
        return {}


def _op_add_block(data: dict, form: Mapping[str, Any]) -> None:
    """Add a block of the question bank as a new section, its parameters left to fill in."""
    block = bank_blocks().get(_one(form, "block"))
    if block is None:
        raise EditRefused({"block": "Choose a block of the question bank."})
    sections = data.setdefault("sections", [])
    if any(isinstance(s, dict) and s.get("id") == block.block for s in sections):
        raise EditRefused({"block": f"The block '{block.title}' is already in this draft."})
    # A parameter without a default shows its label, for the manager to replace.
    values = {
        p.name: str(p.default) if p.default is not None else f"[{p.label}]"
        for p in block.parameters
    }
    categories = data.setdefault("categories", [])
    known = {c.get("id") for c in categories if isinstance(c, dict)}
    if block.category is not None and block.category.id not in known:
        categories.append(block.category.model_dump(exclude_defaults=True))
    section: dict[str, Any] = {"id": block.block, "title": block.title}
    if block.description:
        section["description"] = _filled(block.description, values)
    asked = {q.get("id") for s in sections if isinstance(s, dict) for q in s.get("questions") or []}
    questions = []
    for raw in block.questions:
        question = _filled(_mutable(raw), values)
        if not _refers_to(question.get("show_if")) <= asked:
            del question["show_if"]  # the block it depends on is not in this draft
        questions.append(question)
        asked.add(question.get("id"))
    section["questions"] = questions
    sections.append(section)
    # The block's date rules count from a date the campaign fixes when it is sent.
    dates = data.setdefault("reference_dates", [])
    declared = {d.get("name") for d in dates if isinstance(d, dict)}
    for role in block.dates:
        if role not in declared:
            dates.append({"name": role, "label": DATE_ROLE_LABELS.get(role, role)})


def _op_delete_question(data: dict, form: Mapping[str, Any]) -> None:
    questions, i = _locate(data, _one(form, "question"))
    del questions[i]


def _options(text: str) -> list[dict[str, Any]]:
    options = []
    for line in text.splitlines():
        if not line.strip():
            continue
        value, _, rest = line.partition("|")
        label, _, score = rest.partition("|")
        option: dict[str, Any] = {"value": value.strip(), "label": label.strip() or value.strip()}
        if score.strip():
            option["score"] = _number(score.strip())
        options.append(option)
    return options


def options_text(question: Mapping[str, Any]) -> str:
    """Write a question's options one a line as `value | label | score` for the edit form."""
    lines = []
    for o in question.get("options") or []:
        if isinstance(o, dict):
            score = o.get("score")
            tail = f" | {score:g}" if isinstance(score, (int, float)) else ""
            lines.append(f"{o.get('value', '')} | {o.get('label', '')}{tail}")
    return "\n".join(lines)


def _op_edit_question(data: dict, form: Mapping[str, Any]) -> None:
    questions, i = _locate(data, _one(form, "question"))
    question = questions[i]
    for key in EDITABLE_TEXT:
        if key in form:
            value = _one(form, key)
            if value:
                question[key] = value
            else:
                question.pop(key, None)
    if "frameworks" in form:
        question["frameworks"] = [f.strip() for f in form["frameworks"].splitlines() if f.strip()]
    if "weight" in form:
        weight = _one(form, "weight")
        if weight:
            question["weight"] = _number(weight)
        else:
            question.pop("weight", None)
    if "options" in form and question.get("type") in ("yes_no", "single_choice", "multi_choice"):
        old = {o.get("value"): o for o in question.get("options") or [] if isinstance(o, dict)}
        # Flags (not_exposed, impact_signal, ...) stay with the option's value.
        question["options"] = [{**old.get(o["value"], {}), **o} for o in _options(form["options"])]
    critical = _one(form, "critical") in ("y", "on", "true", "1")
    if critical:
        question["critical"] = True
    else:
        question.pop("critical", None)


def _op_set_show_if(data: dict, form: Mapping[str, Any]) -> None:
    questions, i = _locate(data, _one(form, "question"))
    operator, target, values = _one(form, "operator"), _one(form, "when"), _many(form, "values")
    if operator == "always" or not target:
        questions[i].pop("show_if", None)
        return
    errors = {}
    if operator not in OPERATORS:
        errors["operator"] = "Choose how the answer is compared."
    if not values:
        errors["values"] = "Choose at least one answer."
    if errors:
        raise EditRefused(errors)
    condition: dict[str, Any] = {"question": target, "in": values}
    questions[i]["show_if"] = {"not": condition} if operator == "not_in" else condition


OPERATIONS = {
    "move_question": _op_move_question,
    "move_section": _op_move_section,
    "reorder": _op_reorder,
    "add_question": _op_add_question,
    "add_block": _op_add_block,
    "delete_question": _op_delete_question,
    "edit_question": _op_edit_question,
    "set_show_if": _op_set_show_if,
}


def apply_edit(
    draft: TemplateDraft, lock_version: int, op: str, form: Mapping[str, Any], user: User
) -> list[Message]:
    """Apply one edit, check the result and save it whatever the validator says.

    Raise DraftConflict when the draft changed since `lock_version`, EditRefused when the edit
    cannot be applied at all (nothing is saved then). Return the validator's messages.
    """
    if draft.lock_version != lock_version:
        raise DraftConflict(
            "Someone else saved this draft while you were editing it. Your change was not "
            "saved; the page now shows their version, make your change again."
        )
    if op == "edit_yaml":
        text = _one(form, "yaml_text").replace("\r\n", "\n") + "\n"
    else:
        operation = OPERATIONS.get(op)
        if operation is None:
            raise EditRefused({"op": "Unknown edit."})
        data = draft_data(draft)
        if data is None:
            raise EditRefused(
                {"yaml_text": "The YAML cannot be read; correct it in the YAML box first."}
            )
        operation(data, form)
        text = dump(data)
    messages, parsed = _check(text, draft.slug)
    draft.yaml_text, draft.messages = text, messages
    if parsed is not None:
        draft.slug, draft.title = parsed.id, parsed.title
    draft.updated_at, draft.updated_by_id = utcnow(), user.id
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise DraftConflict(
            "Someone else saved this draft at the same moment. Your change was not saved."
        ) from exc
    return messages_of(draft)


def submit(draft: TemplateDraft, lock_version: int, user: User) -> TemplateVersion:
    """Submit the draft's YAML as a version pending a second person's approval.

    The same path as an upload; raise services.UploadRejected while the draft is invalid.
    """
    if draft.lock_version != lock_version:
        raise DraftConflict("Someone else changed this draft; check their change, then submit.")
    version = services.submit_upload(draft.yaml_text, f"{draft.slug}.yaml", user)
    draft.submitted_version_id = version.id
    draft.updated_at, draft.updated_by_id = utcnow(), user.id
    db.session.flush()
    audit.record(
        "template_draft.submit",
        "template_draft",
        draft.id,
        details={"template_version": version.id, "number": version.number},
    )
    return version


def show_if_choices(data: dict, qid: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Return the questions before `qid` that a condition may name, with their options."""
    choices: list[tuple[str, str, list[tuple[str, str]]]] = []
    for section in data.get("sections") or []:
        for q in section.get("questions") or [] if isinstance(section, dict) else []:
            if not isinstance(q, dict):
                continue
            if q.get("id") == qid:
                return choices
            options = [
                (str(o.get("value")), str(o.get("label", o.get("value"))))
                for o in q.get("options") or []
                if isinstance(o, dict)
            ]
            if options:
                choices.append((str(q.get("id")), str(q.get("text", "")), options))
    return choices


def show_if_of(question: Mapping[str, Any]) -> tuple[str, str, list[str]]:
    """Read a simple show_if back as (operator, question, values) for the pick-lists."""
    cond = question.get("show_if")
    operator = "in"
    if isinstance(cond, dict) and "not" in cond:
        operator, cond = "not_in", cond["not"]
    if isinstance(cond, dict) and "question" in cond and "in" in cond:
        return operator, str(cond["question"]), [str(v) for v in cond["in"]]
    return ("complex" if cond else "always"), "", []
