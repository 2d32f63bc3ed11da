"""Content hash of a template: the same content gives the same hash however the YAML is written."""

from __future__ import annotations

import hashlib

import rfc8785

from .schema import Template


def canonical_json(template: Template) -> bytes:
    """Serialize the parsed template as RFC 8785 canonical JSON."""
    # Defaults are left out so that adding an optional key to the schema later does not change
    # the hash of every template version already stored.
    return rfc8785.dumps(template.model_dump(mode="json", by_alias=True, exclude_defaults=True))


def content_hash(template: Template) -> str:
    """Return the SHA-256 hex digest of the template's canonical JSON."""
    return hashlib.sha256(canonical_json(template)).hexdigest()
