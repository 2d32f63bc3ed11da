"""Version ranges (`vers:` of any scheme) and versions, compared by univers, never by hand.

A range of a scheme univers does not know (a vendor's own, say `vers:acme/>=1.0|<2.0`) is read
with the generic scheme, and saying so is part of every answer that used it. A version that its
scheme cannot read makes the comparison *unknown*, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .matching import normalise_version

# univers is imported on the first range read, so starting the app or a command does not load it.
if TYPE_CHECKING:
    from univers.version_range import VersionRange

MAX_LENGTH = 1000


class RangeError(ValueError):
    """A version range that cannot be read or compared, with the reason."""


@dataclass(frozen=True)
class Range:
    """A parsed `vers:` range; `scheme` is the one it is compared with."""

    text: str
    scheme: str
    declared_scheme: str
    parsed: VersionRange
    # True for `vers:<scheme>/*` (every version), False for a range of no version, else None.
    everything: bool | None = None

    @property
    def generic_fallback(self) -> bool:
        return self.scheme != self.declared_scheme

    def contains(self, version: str) -> bool | None:
        """Tell whether a version is in the range; None when the version cannot be compared."""
        if self.everything is not None:
            return self.everything
        parsed = _version(self.parsed.version_class, version)
        if parsed is None:
            return None
        try:
            return parsed in self.parsed
        except (TypeError, ValueError):
            return None


@lru_cache(maxsize=65536)
def _version(version_class: Any, text: str) -> Any:
    """Return a version of a scheme, or None if the scheme cannot read it (read once each)."""
    from univers.versions import InvalidVersion

    try:
        return version_class(text)
    except (InvalidVersion, TypeError, ValueError):
        return None


@lru_cache(maxsize=4096)
def parse_range(text: str) -> Range:
    """Parse a `vers:` range; raise RangeError with the reason if it cannot be compared."""
    from univers.version_range import RANGE_CLASS_BY_SCHEMES, VersionRange
    from univers.versions import AllVersion, InvalidVersion, NoneVersion

    text = (text or "").strip()
    if len(text) > MAX_LENGTH:
        raise RangeError(f"a version range is at most {MAX_LENGTH} characters")
    if not text.lower().startswith("vers:") or "/" not in text:
        raise RangeError(f"'{text}' is not a vers: range (vers:<scheme>/<constraints>)")
    declared, _, constraints = text[5:].partition("/")
    declared = declared.strip().lower()
    if not declared or not constraints.strip():
        raise RangeError(f"'{text}' names no scheme or no constraint")
    scheme = declared if declared in RANGE_CLASS_BY_SCHEMES else "generic"
    try:
        parsed = VersionRange.from_string(f"vers:{scheme}/{constraints}")
    except (InvalidVersion, ValueError, TypeError) as exc:
        raise RangeError(f"'{text}' cannot be compared: {exc}") from None
    everything = None
    if parsed.version_class in (AllVersion, NoneVersion):
        everything = parsed.version_class is AllVersion
    return Range(text, scheme, declared, parsed, everything)


def same_version(a: str, b: str, scheme: str = "generic") -> bool:
    """Tell whether two versions are the same: equal in their scheme, or equal as text."""
    from univers.version_range import RANGE_CLASS_BY_SCHEMES

    if normalise_version(a) == normalise_version(b):
        return True
    version_class = RANGE_CLASS_BY_SCHEMES.get(
        scheme, RANGE_CLASS_BY_SCHEMES["generic"]
    ).version_class
    first, second = _version(version_class, a), _version(version_class, b)
    return first is not None and second is not None and first == second
