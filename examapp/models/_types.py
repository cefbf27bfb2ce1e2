from datetime import datetime

from sqlalchemy import DateTime
from sqlalchemy.orm import mapped_column

from ..clock import utcnow


def created_at():
    return mapped_column(DateTime, default=utcnow, nullable=False)


__all__ = ["created_at", "datetime"]
