"""LIKE patterns from what a person typed: `%`, `_` and `\\` stand for themselves (S15)."""

ESCAPE = "\\"


def literal(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def containing(text: str) -> str:
    """The pattern for "contains `text`"; use it with `escape=ESCAPE`."""
    return f"%{literal(text)}%"
