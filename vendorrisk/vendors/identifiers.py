"""Product identifiers: CPE 2.3 names and package URLs (purl), parsed by their libraries.

Each identifier has a *key* that matching compares: for a purl its type, namespace and name
(`pkg:maven/org.apache.logging.log4j/log4j-core`), for a CPE its part, vendor and product
(`cpe:2.3:a:apache:log4j`). The version, qualifiers and the other CPE fields are kept in the
value and compared separately, against version ranges (see `versions.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from cpe.cpe2_2 import CPE2_2
from cpe.cpe2_3_fs import CPE2_3_FS
from packageurl import PackageURL

CPE = "cpe"
PURL = "purl"
KINDS = (CPE, PURL)
KIND_LABELS = {CPE: "CPE", PURL: "purl"}
MAX_LENGTH = 1000
MAX_KEY_LENGTH = 500

# purl types whose versions univers compares with a scheme of the same name.
_PURL_SCHEMES = {
    "alpm": "alpm",
    "apk": "apk",
    "cargo": "cargo",
    "composer": "composer",
    "conan": "conan",
    "deb": "deb",
    "gem": "gem",
    "github": "github",
    "golang": "golang",
    "hex": "hex",
    "maven": "maven",
    "npm": "npm",
    "nuget": "nuget",
    "pypi": "pypi",
    "rpm": "rpm",
}
_UNSET = {"*", "-", ""}


class IdentifierError(ValueError):
    """A CPE or purl that does not parse, with the reason."""


@dataclass(frozen=True)
class Identifier:
    """A parsed CPE or purl: its canonical text, its matching key and its version, if any."""

    kind: str
    value: str
    key: str
    version: str | None = None
    scheme: str = "generic"  # the univers versioning scheme of its versions

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


def parse_purl(text: str) -> Identifier:
    """Parse a package URL; raise IdentifierError if it does not parse."""
    text = (text or "").strip()
    if len(text) > MAX_LENGTH:
        raise IdentifierError(f"a purl is at most {MAX_LENGTH} characters")
    try:
        purl = PackageURL.from_string(text)
    except ValueError as exc:
        raise IdentifierError(f"'{_short(text)}' is not a valid purl: {exc}") from None
    key = PackageURL(type=purl.type, namespace=purl.namespace, name=purl.name).to_string()
    if len(key) > MAX_KEY_LENGTH:
        raise IdentifierError(
            f"'{_short(text)}' names a package of over {MAX_KEY_LENGTH} characters"
        )
    return Identifier(
        PURL,
        purl.to_string(),
        key,
        purl.version or None,
        _PURL_SCHEMES.get(purl.type, "generic"),
    )


def _field(values: list) -> str:
    return str(values[0]) if values else ""


def parse_cpe(text: str) -> Identifier:
    """Parse a CPE 2.3 formatted string (or a CPE 2.2 URI); raise IdentifierError if bad."""
    text = (text or "").strip()
    if len(text) > MAX_LENGTH:
        raise IdentifierError(f"a CPE is at most {MAX_LENGTH} characters")
    try:
        if text.lower().startswith("cpe:/"):
            cpe = CPE2_3_FS(CPE2_2(text).as_fs())
        else:
            cpe = CPE2_3_FS(text)
    except (ValueError, NotImplementedError, TypeError, IndexError) as exc:
        raise IdentifierError(f"'{_short(text)}' is not a valid CPE 2.3 name: {exc}") from None
    part, vendor, product = (
        _field(cpe.get_part()),
        _field(cpe.get_vendor()),
        _field(cpe.get_product()),
    )
    if vendor in _UNSET or product in _UNSET:
        raise IdentifierError(f"'{_short(text)}' names no vendor and product")
    version = _field(cpe.get_version())
    value = cpe.as_fs()
    if len(vendor) + len(product) > MAX_KEY_LENGTH - 20:
        raise IdentifierError(
            f"'{_short(text)}' has a vendor and product over {MAX_KEY_LENGTH} characters"
        )
    return Identifier(
        CPE,
        value,
        f"cpe:2.3:{part}:{vendor}:{product}".lower(),
        None if version in _UNSET else version.replace("\\", ""),
    )


def parse_identifier(text: str) -> Identifier:
    """Parse a CPE or a purl, told apart by their prefix."""
    stripped = (text or "").strip()
    if stripped.lower().startswith("pkg:"):
        return parse_purl(stripped)
    if stripped.lower().startswith("cpe:"):
        return parse_cpe(stripped)
    raise IdentifierError(
        f"'{_short(stripped)}' is neither a CPE (cpe:2.3:...) nor a purl (pkg:...)"
    )


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
