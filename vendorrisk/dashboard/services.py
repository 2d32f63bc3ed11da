"""Changes made from the dashboard: marking an impact signal handled (audited)."""

from vendorrisk.audit import services as audit
from vendorrisk.campaigns.models import ImpactAlert
from vendorrisk.core.timeutil import utcnow


class AlertError(ValueError):
    """A refused change to an impact alert, with a message fit to show the user."""


def handle_alert(alert: ImpactAlert, user, note: str) -> None:
    """Record who handled an impact signal, when, and what they did."""
    if alert.handled_at is not None:
        raise AlertError("Someone has already marked this signal handled.")
    note = (note or "").strip()
    if not note:
        raise AlertError("Say what was done about it.")
    alert.handled_at = utcnow()
    alert.handled_by_id = user.id
    alert.handling_note = note
    # Ids only: the note may name people, and the audit log keeps no personal data.
    audit.record(
        "impact_alert.handled",
        "impact_alert",
        alert.id,
        details={"vendor": alert.vendor_id, "assignment": alert.assignment_id},
    )
