"""When exam reminders are due, without a database. Times are naive UTC datetimes; lead times are hours."""
from datetime import datetime, timedelta


def parse_hours(text: str | list | tuple, *, name: str = "hours") -> tuple[float, ...]:
    """"24,2" → (24.0, 2.0), longest lead first. A bad entry raises ValueError naming the setting."""
    parts = text if isinstance(text, (list, tuple)) else str(text or "").replace("，", ",").split(",")
    hours = []
    for part in parts:
        if isinstance(part, str) and not part.strip():
            continue
        try:
            value = float(part)
        except (TypeError, ValueError):
            raise ValueError(f"{name}: 「{part}」不是小时数") from None
        if not 0 < value <= 24 * 60:
            raise ValueError(f"{name}: {part} 须在 0 到 1440 小时之间")
        hours.append(value)
    return tuple(sorted(set(hours), reverse=True))


def label(hours: float) -> str:
    """The part of a notification key that names the lead time: 24 → "24h", 1.5 → "1.5h"."""
    return f"{hours:g}h"


def due_lead(now: datetime, anchor: datetime, leads: tuple[float, ...]) -> float | None:
    """The reminder stage reached before `anchor` (the shortest lead whose time has come), or None when
    it is too early or `anchor` has passed. A job that was down or an exam published late sends only the
    nearest stage, not every earlier one at once."""
    if now >= anchor:
        return None
    reached = [h for h in leads if now >= anchor - timedelta(hours=h)]
    return min(reached) if reached else None


def makeup_notice_due(now: datetime, *, closes_at: datetime, makeup_opens_at: datetime | None,
                      makeup_closes_at: datetime | None, lead: float) -> bool:
    """A make-up notice goes out once the main window has closed (who failed or was absent is known),
    no earlier than `lead` hours before the make-up opens, and while the make-up can still be taken."""
    if makeup_opens_at is None or makeup_closes_at is None:
        return False
    return closes_at <= now < makeup_closes_at and now >= makeup_opens_at - timedelta(hours=lead)


__all__ = ["due_lead", "label", "makeup_notice_due", "parse_hours"]
