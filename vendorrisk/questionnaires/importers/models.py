"""Column mappings saved by name, for spreadsheet imports that come back (SIG, a bank's own)."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vendorrisk.accounts.models import User
from vendorrisk.core.timeutil import UTCDateTime, utcnow
from vendorrisk.extensions import db


class ImportMapping(db.Model):  # type: ignore[name-defined]
    """A named column mapping, stored as the same YAML the command line reads."""

    __tablename__ = "import_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    yaml_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])

    def __repr__(self) -> str:
        return f"<ImportMapping {self.id} {self.name}>"
