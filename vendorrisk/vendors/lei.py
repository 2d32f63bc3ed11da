"""Legal Entity Identifiers (ISO 17442): 18 alphanumerics, 2 check digits (ISO 7064 MOD 97-10)."""

import re

_SHAPE = re.compile(r"[A-Z0-9]{18}[0-9]{2}")


def _as_number(text: str) -> int:
    # Letters count as two digits each: A=10 ... Z=35, as in IBANs.
    return int("".join(str(int(ch, 36)) for ch in text))


def normalise_lei(value: str) -> str:
    """Return an LEI in its stored form: upper case, no spaces."""
    return "".join(value.split()).upper()


def lei_problem(value: str) -> str | None:
    """Explain why a (normalised) LEI is not valid, or return None when it is."""
    if len(value) != 20:
        return f"An LEI has 20 characters; this one has {len(value)}."
    if not _SHAPE.fullmatch(value):
        return "An LEI is 18 letters or digits followed by 2 check digits."
    if _as_number(value) % 97 != 1:
        return "This LEI's check digits are wrong (ISO 7064 MOD 97-10): check it for a typo."
    return None


def with_check_digits(base: str) -> str:
    """Return an 18-character LEI base completed with its two check digits."""
    base = normalise_lei(base)
    if len(base) != 18 or not base.isalnum():
        raise ValueError("an LEI base has 18 letters or digits")
    check = 98 - (_as_number(base + "00") % 97)
    return f"{base}{check:02d}"
