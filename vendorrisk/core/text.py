"""Words for counts, so a page or a log says "1 question" and "2 questions"."""


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """Return the count with its noun in the right number ("1 question", "3 questions")."""
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"
