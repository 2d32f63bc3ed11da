"""The edits a template draft takes, one operation at a time: functions over the draft's
YAML data (a dict as the loader reads it), with no database. `drafts.apply_edit` runs them,
writes the data back as YAML and checks it; an edit that cannot be applied at all raises
EditRefused with a message per form field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from . import bank
from .schema import FINDING_TITLE_MAX

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
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


class EditRefused(ValueError):
    """An edit that cannot be applied at all, with a message per form field."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def as_mutable(value: Any) -> Any:
    """Return loaded YAML data as plain dicts and lists an edit may change."""
    if isinstance(value, dict):
        return {k: as_mutable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_mutable(v) for v in value]
    return value


# --- editing ------------------------------------------------------------------------------------


def new_question(
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


def form_value(form: Mapping[str, Any], key: str) -> str:
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
    questions, i = _locate(data, form_value(form, "question"))
    _move(questions, i, form_value(form, "direction"))


def _op_move_section(data: dict, form: Mapping[str, Any]) -> None:
    sections, i = _section(data, form_value(form, "section"))
    _move(sections, i, form_value(form, "direction"))


def _op_reorder(data: dict, form: Mapping[str, Any]) -> None:
    """Put a section's questions in the given order (drag and drop sends the whole order)."""
    sections, i = _section(data, form_value(form, "section"))
    questions = sections[i].get("questions") or []
    order = [q for part in _many(form, "order") for q in re.split(r"[\s,]+", part) if q]
    by_id = {str(q.get("id")): q for q in questions if isinstance(q, dict)}
    if sorted(order) != sorted(by_id):
        raise EditRefused({"order": "The new order must name each question of the section once."})
    sections[i]["questions"] = [by_id[q] for q in order]


def _op_add_question(data: dict, form: Mapping[str, Any]) -> None:
    sections, i = _section(data, form_value(form, "section"))
    kind, qid, text = form_value(form, "type"), form_value(form, "new_id"), form_value(form, "text")
    title = " ".join(form_value(form, "finding_title").split())
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
    category = form_value(form, "category") or (categories[-1] if categories else None)
    sections[i].setdefault("questions", []).append(new_question(qid, text, kind, category, title))


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
    block = bank_blocks().get(form_value(form, "block"))
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
        question = _filled(as_mutable(raw), values)
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
    questions, i = _locate(data, form_value(form, "question"))
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
    questions, i = _locate(data, form_value(form, "question"))
    question = questions[i]
    for key in EDITABLE_TEXT:
        if key in form:
            value = form_value(form, key)
            if value:
                question[key] = value
            else:
                question.pop(key, None)
    if "frameworks" in form:
        question["frameworks"] = [f.strip() for f in form["frameworks"].splitlines() if f.strip()]
    if "weight" in form:
        weight = form_value(form, "weight")
        if weight:
            question["weight"] = _number(weight)
        else:
            question.pop("weight", None)
    if "options" in form and question.get("type") in ("yes_no", "single_choice", "multi_choice"):
        old = {o.get("value"): o for o in question.get("options") or [] if isinstance(o, dict)}
        # Flags (not_exposed, impact_signal, ...) stay with the option's value.
        question["options"] = [{**old.get(o["value"], {}), **o} for o in _options(form["options"])]
    critical = form_value(form, "critical") in ("y", "on", "true", "1")
    if critical:
        question["critical"] = True
    else:
        question.pop("critical", None)


def _op_set_show_if(data: dict, form: Mapping[str, Any]) -> None:
    questions, i = _locate(data, form_value(form, "question"))
    operator, target, values = (
        form_value(form, "operator"),
        form_value(form, "when"),
        _many(form, "values"),
    )
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
