"""Differences between two template versions, by id, for review and for re-asking what changed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from .schema import Question, Template

# Changes to these leave a vendor's earlier answer valid: they alter scoring, findings or
# visibility (recomputed from answers), not what the vendor is asked.
NOT_REASKED_FIELDS = frozenset(
    {
        "help",
        "weight",
        "category",
        "critical",
        "severity",
        "remediation",
        "finding_title",
        "frameworks",
        "date_rule",
        "number_rule",
        "show_if",
        "required",
        "section",
    }
)
# How an answer is scored or escalated, not what the vendor is asked. `exclusive` is not here:
# it changes which combinations the vendor may give.
NOT_REASKED_OPTION_FIELDS = frozenset(
    {
        "score",
        "finding",
        "impact_signal",
        "not_exposed",
        "exposed",
        "uncertain",
        "credit_if",
        "uncredited_score",
    }
)


@dataclass(frozen=True)
class QuestionChange:
    """A question present in both versions, and what about it changed."""

    id: str
    fields: tuple[str, ...]

    @property
    def reask(self) -> bool:
        """Whether the change alters what the vendor is asked, so the answer must be given again."""
        for name in self.fields:
            if name.startswith("options["):
                attr = name.partition("].")[2]
                if attr not in NOT_REASKED_OPTION_FIELDS:
                    return True
            elif name not in NOT_REASKED_FIELDS:
                return True
        return False


@dataclass(frozen=True)
class ItemChange:
    """A section or category present in both versions, and which of its fields changed."""

    id: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class TemplateDiff:
    """What changed between two template versions; ids are listed in document order."""

    template_fields: tuple[str, ...] = ()
    questions_added: tuple[str, ...] = ()
    questions_removed: tuple[str, ...] = ()
    questions_changed: tuple[QuestionChange, ...] = ()
    sections_added: tuple[str, ...] = ()
    sections_removed: tuple[str, ...] = ()
    sections_changed: tuple[ItemChange, ...] = ()
    categories_added: tuple[str, ...] = ()
    categories_removed: tuple[str, ...] = ()
    categories_changed: tuple[ItemChange, ...] = ()

    @property
    def is_empty(self) -> bool:
        """Whether the two versions have the same content."""
        return not any(getattr(self, name) for name in self.__dataclass_fields__)

    def reask_question_ids(self) -> tuple[str, ...]:
        """Return the questions a vendor must answer again: new ones and re-worded ones."""
        changed = tuple(c.id for c in self.questions_changed if c.reask)
        return self.questions_added + changed


def _changed_fields(
    old: BaseModel, new: BaseModel, skip: frozenset[str] = frozenset()
) -> list[str]:
    return [
        name
        for name in type(old).model_fields
        if name not in skip and getattr(old, name) != getattr(new, name)
    ]


def _option_changes(old: Question, new: Question) -> list[str]:
    old_opts = {o.value: o for o in old.options}
    new_opts = {o.value: o for o in new.options}
    changes = [f"options[{v}] removed" for v in old_opts if v not in new_opts]
    for value, option in new_opts.items():
        if value not in old_opts:
            changes.append(f"options[{value}] added")
        else:
            changes.extend(
                f"options[{value}].{f}" for f in _changed_fields(old_opts[value], option)
            )
    common_old = [v for v in old_opts if v in new_opts]
    common_new = [v for v in new_opts if v in old_opts]
    if common_old != common_new:
        changes.append("options order")
    return changes


def _question_change(old: Question, old_section: str, new: Question, new_section: str) -> list[str]:
    fields = _changed_fields(old, new, skip=frozenset({"options"}))
    fields.extend(_option_changes(old, new))
    if old_section != new_section:
        fields.append("section")
    return fields


def _by_id(items: Sequence[BaseModel], key: str = "id") -> dict[str, BaseModel]:
    return {getattr(item, key): item for item in items}


def _items(
    old: Sequence[BaseModel], new: Sequence[BaseModel], skip: frozenset[str] = frozenset()
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[ItemChange, ...]]:
    old_by, new_by = _by_id(old), _by_id(new)
    added = tuple(i for i in new_by if i not in old_by)
    removed = tuple(i for i in old_by if i not in new_by)
    changed = []
    for item_id, item in new_by.items():
        if item_id in old_by:
            fields = _changed_fields(old_by[item_id], item, skip)
            if fields:
                changed.append(ItemChange(item_id, tuple(fields)))
    return added, removed, tuple(changed)


def diff_templates(old: Template, new: Template) -> TemplateDiff:
    """Compare two template versions by question, section and category id."""
    old_q = {q.id: (q, s.id) for s in old.sections for q in s.questions}
    new_q = {q.id: (q, s.id) for s in new.sections for q in s.questions}
    changed = []
    for qid, (question, section_id) in new_q.items():
        if qid in old_q:
            fields = _question_change(*old_q[qid], question, section_id)
            if fields:
                changed.append(QuestionChange(qid, tuple(fields)))
    sections = _items(old.sections, new.sections, skip=frozenset({"questions"}))
    # Membership and order of a section's questions are reported as a section change.
    section_changes = {c.id: list(c.fields) for c in sections[2]}
    old_sections = {s.id: s for s in old.sections}
    for section in new.sections:
        before = old_sections.get(section.id)
        if before is not None and [q.id for q in before.questions] != [
            q.id for q in section.questions
        ]:
            section_changes.setdefault(section.id, []).append("questions")
    categories = _items(old.categories, new.categories)
    return TemplateDiff(
        template_fields=tuple(
            _changed_fields(old, new, skip=frozenset({"sections", "categories"}))
        ),
        questions_added=tuple(q for q in new_q if q not in old_q),
        questions_removed=tuple(q for q in old_q if q not in new_q),
        questions_changed=tuple(changed),
        sections_added=sections[0],
        sections_removed=sections[1],
        sections_changed=tuple(
            ItemChange(s.id, tuple(section_changes[s.id]))
            for s in new.sections
            if s.id in section_changes
        ),
        categories_added=categories[0],
        categories_removed=categories[1],
        categories_changed=categories[2],
    )
