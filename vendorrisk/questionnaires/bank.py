"""The question bank: reusable, parameterised blocks that draft a breach questionnaire.

Each file in `questionnaires/bank/` is one block (a section of one to three questions with their
scoring, remediation, finding titles and control mapping). `{name}` in a block's text is a
parameter the block declares, filled from an advisory (products, fixed versions, dates,
indicators, notice hours); the date roles `disclosure` and `exploitation` in its date rules
become the advisory's key-date names, so a campaign freezes them like any template's dates.

Blocks are read by the one loader under the same limits as templates, and every block, and every
draft, is checked by the template validator (`validator.check_source`). No Flask here: the app
stores a draft through the same upload and approval path as a YAML file
(`drafting.create_draft_from_advisory`). The format is in docs/questionnaire-format.md.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import pydantic
import yaml
from pydantic import BaseModel, ConfigDict, Field

from .loader import YamlLoadError, decode_source, load_yaml_text, read_source
from .validator import check_source

if TYPE_CHECKING:
    from vendorrisk.advisories.document import AdvisoryDocument, KeyDate

BANK_DIR = Path(__file__).resolve().parents[2] / "questionnaires" / "bank"

# The order blocks take in a draft; a block not named here follows, by id.
DEFAULT_ORDER = (
    "product_use",
    "fixed_version",
    "compensating_controls",
    "credentials_rotated",
    "old_credentials_removed",
    "logs_reviewed",
    "indicators_hunted",
    "data_affected",
    "notified_within",
    "suppliers_checked",
    "post_incident_report",
)
EXPOSURE_QUESTION = "product_use"
CRITICAL_CAP = "C"
DEFAULT_NOTICE_HOURS = 24
MAX_INDICATORS = 8
TEMPLATE_SUFFIX = "-followup"
MAX_SLUG = 120

ParameterName = Literal[
    "advisory_title",
    "products",
    "fixed_versions",
    "window_start",
    "window_end",
    "disclosure_date",
    "exploitation_date",
    "indicators",
    "notice_hours",
]
DateRole = Literal["disclosure", "exploitation"]
DATE_ROLES: tuple[str, ...] = ("disclosure", "exploitation")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_IDENT = r"^[a-z][a-z0-9_]*$"

# Values a block is checked with on its own (the advisory fills the real ones).
SAMPLE_VALUES: dict[str, str] = {
    "advisory_title": "Example advisory",
    "products": "Example Product",
    "fixed_versions": "Example Product 2.0.1",
    "window_start": "1 March 2024",
    "window_end": "15 March 2024",
    "disclosure_date": "5 March 2024",
    "exploitation_date": "1 March 2024",
    "indicators": "the published indicators (CVE-2024-0001)",
    "notice_hours": "24",
}


class BankError(ValueError):
    """A bank file (or the bank as a whole) is not valid; `errors` say where and why."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


class DraftRefused(ValueError):
    """An advisory cannot be drafted from; the message says what to add to it."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Parameter(_Model):
    """A value a block's text needs, filled from the advisory (or its default)."""

    name: ParameterName
    label: Annotated[str, Field(min_length=1, max_length=200)]
    default: str | int | None = None


class BlockCategory(_Model):
    """The scoring category a block's questions count towards (shared by blocks with its id)."""

    id: Annotated[str, Field(pattern=_IDENT)]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    weight: int | float
    description: str = ""


class Block(_Model):
    """One reusable section of a breach questionnaire."""

    block: Annotated[str, Field(pattern=_IDENT)]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    description: str = ""
    exposed_only: bool = False
    category: BlockCategory | None = None
    parameters: tuple[Parameter, ...] = ()
    dates: tuple[DateRole, ...] = ()
    questions: Annotated[tuple[dict[str, Any], ...], Field(min_length=1)]

    @property
    def question_ids(self) -> tuple[str, ...]:
        return tuple(str(q.get("id")) for q in self.questions)


# --- reading and checking the bank ----------------------------------------------------------------


def _placeholders(value: object) -> set[str]:
    if isinstance(value, str):
        return set(_PLACEHOLDER.findall(value))
    if isinstance(value, Mapping):
        return set().union(*(_placeholders(v) for v in value.values()))
    if isinstance(value, list | tuple):
        return set().union(*(_placeholders(v) for v in value))
    return set()


def _date_roles_used(block: Block) -> set[str]:
    used = set()
    for question in block.questions:
        rule = question.get("date_rule")
        if isinstance(rule, Mapping):
            used |= {str(rule[k]) for k in ("reference", "earliest") if k in rule}
    return used


def _block_problems(block: Block, name: str) -> list[str]:
    problems = []
    if block.block != Path(name).stem:
        problems.append(f"{name}: block '{block.block}' must be named like its file")
    declared = {p.name for p in block.parameters}
    for used in sorted(_placeholders(block.questions) - declared):
        problems.append(f"{name}: {{{used}}} is used but not declared under parameters")
    for unused in sorted(declared - _placeholders(block.questions)):
        problems.append(f"{name}: parameter {unused} is declared but never used")
    for role in sorted(_date_roles_used(block) - set(block.dates)):
        problems.append(
            f"{name}: date role '{role}' is used in a date_rule but not listed under dates "
            f"(one of: {', '.join(DATE_ROLES)})"
        )
    # A block alone is a baseline template: the incident-only rules apply to whole drafts.
    data = _assemble(
        "bank-block-check",
        "baseline",
        "Bank block check",
        "",
        [],
        [block],
        {**SAMPLE_VALUES, **_defaults(block)},
        {role: (role, "Sample date", datetime.date(2024, 3, 5)) for role in DATE_ROLES},
    )
    checked = check_source(to_yaml(data), name)
    for error in checked.errors:
        subject = f"question {error.question_id}: " if error.question_id else ""
        problems.append(f"{name}: {subject}{error.reason}")
    return problems


def _defaults(block: Block) -> dict[str, str]:
    return {p.name: str(p.default) for p in block.parameters if p.default is not None}


def read_block(path: Path) -> Block:
    """Read one bank file through the template loader; raise BankError on any problem."""
    name = f"bank/{path.name}"
    try:
        loaded = load_yaml_text(decode_source(read_source(path)))
    except YamlLoadError as exc:
        raise BankError([f"{name}:{p.line or 1}: {p.reason}" for p in exc.problems]) from None
    try:
        block = Block.model_validate(loaded.data, strict=True)
    except pydantic.ValidationError as exc:
        raise BankError(
            [
                f"{name}: {'.'.join(str(p) for p in err['loc']) or 'block'}: {err['msg']}"
                for err in exc.errors()
            ]
        ) from None
    if problems := _block_problems(block, name):
        raise BankError(problems)
    return block


def load_bank(directory: Path | None = None) -> dict[str, Block]:
    """Return every block of the bank by id, in draft order; raise BankError listing problems."""
    paths = sorted((directory or BANK_DIR).glob("*.yaml"))
    blocks: list[Block] = []
    errors: list[str] = []
    for path in paths:
        try:
            blocks.append(read_block(path))
        except BankError as exc:
            errors += exc.errors
    seen: dict[str, str] = {}
    for block in blocks:
        for qid in block.question_ids:
            if qid in seen:
                errors.append(f"bank/{block.block}.yaml: question {qid} is also in {seen[qid]}")
            seen[qid] = f"bank/{block.block}.yaml"
    if errors:
        raise BankError(errors)
    rank = {name: i for i, name in enumerate(DEFAULT_ORDER)}
    blocks.sort(key=lambda b: (rank.get(b.block, len(rank)), b.block))
    return {b.block: b for b in blocks}


# --- from an advisory to parameter values -----------------------------------------------------------


def format_day(day: datetime.date) -> str:
    """Return a day as questions write it: 27 May 2023."""
    return f"{day.day} {day:%B %Y}"


def join_words(items: Sequence[str], word: str = "and") -> str:
    """Return "a", "a and b", "a, b and c" (or with another joining word)."""
    items = [i for i in dict.fromkeys(items) if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


_CVE = re.compile(r"\bCVE-\d{4}-\d{4,7}\b")
_CODE = re.compile(r"`([^`\n]{3,100})`")
_INDICATOR = re.compile(
    r"^(?:[A-Fa-f0-9]{32}|[A-Fa-f0-9]{40}|[A-Fa-f0-9]{64}"  # hashes
    r"|\d{1,3}(?:\.\d{1,3}){3}"  # IPv4
    r"|[\w.-]+\.(?:aspx?|php|jsp|dll|exe|sh|ps1|py|js|so|bin|cmdline|zip|tar|gz)"  # files
    r"|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|ru|cn|info|xyz|top))$",  # domains
    re.IGNORECASE,
)


def indicators_of(document: AdvisoryDocument) -> list[str]:
    """Return the indicators an advisory names: CVE ids, and hashes, addresses, file and domain
    names written as code (`human2.aspx`), in the order they first appear."""
    texts = [document.summary, document.body, *(u.body for u in document.updates)]
    found: list[str] = []
    for text in texts:
        found += _CVE.findall(text)
        found += [m.strip() for m in _CODE.findall(text) if _INDICATOR.match(m.strip())]
    return list(dict.fromkeys(found))[:MAX_INDICATORS]


def _all_key_dates(document: AdvisoryDocument) -> dict[str, KeyDate]:
    dates = {d.name: d for d in document.key_dates}
    for update in sorted(document.updates, key=lambda u: u.date):
        dates.update({d.name: d for d in update.key_dates})
    return dates


_DISCLOSURE_NAMES = ("compromise_date", "disclosure_date", "disclosed_date")
_EXPLOITATION_WORDS = ("exploit", "activity_start", "access_start", "attack_start")
_DISCLOSURE_WORDS = ("disclos", "compromise", "advisory", "publish", "announce")


def date_roles(document: AdvisoryDocument) -> dict[str, tuple[str, str, datetime.date]]:
    """Map each date role to the advisory's key date playing it: (name, label, date).

    The disclosure is the key date named like one (compromise_date, disclosed_date, ...), else
    the earliest key date that is not the start of exploitation, else the publication day. The
    start of exploitation is a key date named like one, else the disclosure.
    """
    dates = _all_key_dates(document)
    if not dates:
        raise DraftRefused(
            "The advisory has no key dates. Add the day the flaw or compromise was disclosed "
            "(and the day exploitation was first seen, if known), then draft again."
        )
    exploitation = [d for d in dates.values() if any(w in d.name for w in _EXPLOITATION_WORDS)]
    others = sorted(
        (d for d in dates.values() if d not in exploitation), key=lambda d: (d.date, d.name)
    )
    named = [d for n in _DISCLOSURE_NAMES if (d := dates.get(n)) is not None]
    worded = [d for d in others if any(w in d.name for w in _DISCLOSURE_WORDS)]
    candidates = named or worded or others
    chosen = candidates[0] if candidates else None
    if chosen is None:
        name = next(n for n in _DISCLOSURE_NAMES if n not in dates)
        disclosure = (name, f"{document.publisher} published the advisory", document.published)
    else:
        disclosure = (chosen.name, chosen.label, chosen.date)
    if exploitation:
        first = min(exploitation, key=lambda d: (d.date, d.name))
        return {"disclosure": disclosure, "exploitation": (first.name, first.label, first.date)}
    return {"disclosure": disclosure, "exploitation": disclosure}


def parameter_values(
    document: AdvisoryDocument, overrides: Mapping[str, object] | None = None
) -> dict[str, str]:
    """Return the value of every parameter the advisory fills (absent: the block's default)."""
    products = document.affected_products
    if not products:
        raise DraftRefused(
            "The advisory names no affected product. Add the affected product (and its fixed "
            "versions, if any), then draft again."
        )
    roles = date_roles(document)
    latest = max(d.date for d in _all_key_dates(document).values())
    values: dict[str, str] = {
        "advisory_title": document.title,
        "products": join_words([p.name for p in products], "or"),
        "disclosure_date": format_day(roles["disclosure"][2]),
        "exploitation_date": format_day(roles["exploitation"][2]),
        "window_start": format_day(min(roles["exploitation"][2], roles["disclosure"][2])),
        "window_end": format_day(max(latest, roles["disclosure"][2])),
    }
    fixed = [f"{p.name} {join_words(p.fixed_versions, 'or')}" for p in products if p.fixed_versions]
    if fixed:
        values["fixed_versions"] = f"{join_words(fixed, 'or')}, or later"
    if found := indicators_of(document):
        values["indicators"] = f"the indicators published with the advisory ({', '.join(found)})"
    for key, value in (overrides or {}).items():
        if value is not None:
            values[key] = str(value)
    return values


# --- assembling a template ------------------------------------------------------------------------


def _fill(value: Any, values: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), value)
    if isinstance(value, Mapping):
        return {k: _fill(v, values) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_fill(v, values) for v in value]
    return value


def _conditions_refer(condition: Any) -> set[str]:
    if not isinstance(condition, Mapping):
        return set()
    refs = {str(condition["question"])} if "question" in condition else set()
    for key in ("all", "any"):
        for sub in condition.get(key) or ():
            refs |= _conditions_refer(sub)
    return refs | _conditions_refer(condition.get("not"))


def _question(
    raw: Mapping[str, Any], values: Mapping[str, str], names: Mapping[str, str], asked: set[str]
) -> dict[str, Any]:
    question = _fill(raw, values)
    rule = question.get("date_rule")
    if isinstance(rule, dict):
        for key in ("reference", "earliest"):
            if key in rule:
                rule[key] = names.get(rule[key], rule[key])
    if "show_if" in question and not _conditions_refer(question["show_if"]) <= asked:
        del question["show_if"]  # the block it depends on is not in this draft
    return question


def _assemble(
    template_id: str,
    kind: str,
    title: str,
    description: str,
    advisories: list[str],
    blocks: Sequence[Block],
    values: Mapping[str, str],
    roles: Mapping[str, tuple[str, str, datetime.date]],
) -> dict[str, Any]:
    names = {role: found[0] for role, found in roles.items()}
    used_roles = [r for r in DATE_ROLES if any(r in b.dates for b in blocks)]
    reference_dates: dict[str, dict[str, Any]] = {}
    for role in used_roles:
        name, label, day = roles[role]
        reference_dates.setdefault(name, {"name": name, "label": label, "default": day})
    categories: dict[str, dict[str, Any]] = {}
    for block in blocks:
        if block.category is not None and block.category.id not in categories:
            categories[block.category.id] = block.category.model_dump(exclude_defaults=True)
    exposure = any(EXPOSURE_QUESTION in b.question_ids for b in blocks)
    sections: list[dict[str, Any]] = []
    asked: set[str] = set()
    for block in blocks:
        filled = {**_defaults(block), **values}
        section: dict[str, Any] = {"id": block.block, "title": block.title}
        if block.description:
            section["description"] = _fill(block.description, filled)
        if block.exposed_only and exposure:
            section["show_if"] = {"not": {"question": EXPOSURE_QUESTION, "in": ["no"]}}
        questions = []
        for raw in block.questions:
            questions.append(_question(raw, filled, names, asked))
            asked.add(str(raw["id"]))
        section["questions"] = questions
        sections.append(section)
    data: dict[str, Any] = {"id": template_id, "kind": kind, "title": title}
    if description:
        data["description"] = description
    if advisories:
        data["advisories"] = advisories
    if reference_dates:
        data["reference_dates"] = list(reference_dates.values())
    data["critical_cap"] = CRITICAL_CAP
    data["categories"] = list(categories.values())
    data["sections"] = sections
    return data


def draft_id(slug: str) -> str:
    """Return the template id of the questionnaire drafted from an advisory."""
    return slug[: MAX_SLUG - len(TEMPLATE_SUFFIX)].rstrip("-") + TEMPLATE_SUFFIX


def draft_from_advisory(
    document: AdvisoryDocument,
    blocks: Iterable[str | Block] | None = None,
    *,
    values: Mapping[str, object] | None = None,
) -> dict[str, Any]:
    """Return template data drafted from the bank for an advisory, valid per the validator.

    `blocks` picks bank blocks by id (or passes blocks), in order; by default every block in
    `DEFAULT_ORDER`. `values` overrides parameter values (e.g. `notice_hours`). Raise
    DraftRefused when the advisory lacks what the blocks need, or when the chosen blocks do not
    make a valid questionnaire (with the validator's messages).
    """
    bank = load_bank() if blocks is None or any(isinstance(b, str) for b in blocks) else {}
    chosen: list[Block] = []
    for item in bank.keys() if blocks is None else blocks:
        if isinstance(item, Block):
            chosen.append(item)
        elif item in bank:
            chosen.append(bank[item])
        else:
            raise DraftRefused(f"The question bank has no block '{item}'.")
    if not chosen:
        raise DraftRefused("Pick at least one block of the question bank.")
    data = _assemble(
        draft_id(document.slug),
        "incident",
        f"Vendor follow-up: {document.title}"[:300],
        document.summary,
        [document.slug],
        chosen,
        parameter_values(document, values),
        date_roles(document),
    )
    checked = check_source(to_yaml(data), f"{data['id']}.yaml")
    if checked.errors:
        raise DraftRefused(
            "The drafted questionnaire is not valid: " + "; ".join(str(e) for e in checked.errors)
        )
    return data


# --- writing YAML ---------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Block style with indented lists, keys in the order given; short leaf mappings (options,
    steps, conditions) on one line and long text folded, as the shipped templates are written."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


_SCALARS = (str, int, float, bool, datetime.date)
FLOW_WIDTH = 80


def _is_leaf(value: object) -> bool:
    if isinstance(value, _SCALARS) or value is None:
        return not isinstance(value, str) or "\n" not in value
    if isinstance(value, list | tuple):
        return all(isinstance(v, _SCALARS) for v in value)
    if isinstance(value, Mapping):
        return all(_is_leaf(v) for v in value.values())
    return False


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = ">" if len(value) > 90 and "\n" not in value and value == value.strip() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _dict(dumper: yaml.SafeDumper, value: Mapping[str, Any]) -> yaml.Node:
    flow = _is_leaf(value) and len(repr(value)) <= FLOW_WIDTH
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=flow)


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
    flow = all(isinstance(v, _SCALARS) for v in value) and len(repr(value)) <= FLOW_WIDTH
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(dict, _dict)
_Dumper.add_representer(list, _list)


def to_yaml(data: Mapping[str, Any], header: str | None = None) -> str:
    """Return template data as stable, readable YAML (same data, same text)."""
    body = yaml.dump(dict(data), Dumper=_Dumper, allow_unicode=True, width=96, indent=2)
    if header:
        lines = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
        return lines + body
    return body
