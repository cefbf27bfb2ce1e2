"""The one source of time. Stored times are naive UTC; services take `now=` so tests pin time."""
from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
