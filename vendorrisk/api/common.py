"""Helpers shared by the API views: JSON bodies, query arguments, pagination, dates."""

import json
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, TypeVar

import pydantic
from flask import request
from sqlalchemy import Select, func, select

from vendorrisk.api.errors import ApiProblem, validation_error
from vendorrisk.core.fields import EARLIEST_DAY, LATEST_DAY
from vendorrisk.core.http import MAX_ID
from vendorrisk.extensions import db

M = TypeVar("M", bound=pydantic.BaseModel)
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 1_000_000
Id = Annotated[int, pydantic.Field(ge=1, le=MAX_ID)]
Day = Annotated[date, pydantic.Field(ge=EARLIEST_DAY, le=LATEST_DAY)]
_MESSAGES = {
    "extra_forbidden": "Unknown field.",
    "missing": "This field is required.",
}


class Body(pydantic.BaseModel):
    """Base of request bodies: strict JSON types, no unknown fields."""

    model_config = pydantic.ConfigDict(extra="forbid", strict=True)


def _field(loc: tuple) -> str:
    return ".".join(str(part) for part in loc) or "body"


def parse_body(model: type[M]) -> tuple[M, dict]:
    """Validate the JSON body against a model; return it and the raw object (for hashing)."""
    if not request.is_json:
        raise ApiProblem(
            415,
            "Send a JSON body with `Content-Type: application/json`.",
            kind="unsupported-media-type",
        )
    raw = request.get_data()
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiProblem(400, "The body is not valid JSON.", kind="malformed-json") from None
    except RecursionError:  # arrays or objects nested thousands deep
        raise ApiProblem(
            400, "The body's JSON is nested too deeply.", kind="malformed-json"
        ) from None
    if not isinstance(data, dict):
        raise validation_error({"body": "Send a JSON object."})
    try:
        parsed = model.model_validate_json(raw)
    except pydantic.ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors():
            errors.setdefault(_field(err["loc"]), _MESSAGES.get(err["type"], err["msg"]))
        raise validation_error(errors) from None
    return parsed, data


def int_arg(
    name: str,
    errors: dict[str, str],
    default: int | None = None,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int | None:
    """Read an integer query argument, noting a problem in `errors`."""
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        errors[name] = "Must be an integer."
        return default
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        bounds = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
        errors[name] = f"Must be {bounds}."
        return default
    return value


def choice_arg(name: str, choices, errors: dict[str, str]) -> str | None:
    """Read a query argument that must be one of `choices`."""
    raw = request.args.get(name)
    if raw is not None and raw not in choices:
        errors[name] = "Must be one of: " + ", ".join(choices) + "."
        return None
    return raw


def bool_arg(name: str, errors: dict[str, str]) -> bool | None:
    """Read a boolean query argument (true/false)."""
    raw = request.args.get(name)
    if raw is None:
        return None
    raw = raw.lower()
    if raw in ("true", "1"):
        return True
    if raw in ("false", "0"):
        return False
    errors[name] = "Must be true or false."
    return None


def page_args(errors: dict[str, str]) -> tuple[int, int]:
    """Read `page` and `per_page` (at most 100)."""
    page = int_arg("page", errors, 1, minimum=1, maximum=MAX_PAGE)
    per_page = int_arg("per_page", errors, DEFAULT_PER_PAGE, minimum=1, maximum=MAX_PER_PAGE)
    return page or 1, per_page or DEFAULT_PER_PAGE


def check(errors: dict[str, str]) -> None:
    """Raise the validation problem if any argument was bad."""
    if errors:
        raise validation_error(errors)


def paginate(query: Select, page: int, per_page: int, serialize: Callable[[Any], dict]) -> dict:
    """Return one page of a query as `items`, `page`, `per_page` and `total`."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return {
        "items": [serialize(r) for r in rows],
        "page": page,
        "per_page": per_page,
        "total": total or 0,
    }
