"""Writing to the audit log, in the same transaction as the change it records."""

from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from vendorrisk.audit.models import AuditEntry
from vendorrisk.extensions import db


def client_ip() -> str | None:
    """Return the client address as seen after ProxyFix (trusted proxies only)."""
    return request.remote_addr if has_request_context() else None


def record(
    action: str,
    object_type: str | None = None,
    object_id: Any = None,
    *,
    outcome: str = "success",
    details: dict | None = None,
    actor_id: int | None = None,
    actor_type: str | None = None,
    actor_ref: str | None = None,
) -> AuditEntry:
    """Add an audit entry for the current actor (a user, a vendor recipient or the system)."""
    if actor_type is None:
        if actor_id is not None:
            actor_type = "user"
        elif has_request_context() and current_user and current_user.is_authenticated:
            actor_type, actor_id = "user", current_user.id
        elif has_request_context():
            actor_type = "anonymous"
        else:
            actor_type = "system"
    entry = AuditEntry(
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        outcome=outcome,
        details=details or {},
        actor_type=actor_type,
        actor_id=actor_id,
        actor_ref=actor_ref,
        ip=client_ip(),
    )
    db.session.add(entry)
    return entry


def changed_fields(obj: Any, fields: list[str], data: dict) -> list[str]:
    """Apply `data` to `obj` for the given fields and return the names of those that changed."""
    changed = []
    for name in fields:
        if name in data and getattr(obj, name) != data[name]:
            setattr(obj, name, data[name])
            changed.append(name)
    return changed
