"""Words for counts ("1 question", "2 questions") and short one-line forms of long text."""


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """Return the count with its noun in the right number ("1 question", "3 questions")."""
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def shortened(text: str, limit: int) -> str:
    """Return the text on one line, cut at a word with "…" when longer than `limit` characters."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:?") + "…"
    return text
