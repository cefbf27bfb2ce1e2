"""When certificate reminders are due, without a database: before the expiry date (180, 90 and 30 days)
and before the annual review (审验, on each anniversary of the issue date). Dates are the bureau's dates."""
from datetime import date, timedelta

from .certificates import add_months

EXPIRY_LEADS = (180, 90, 30)     # days before expires_on
REVIEW_LEADS = (30,)             # days before the review is due
# a review done this many days before an anniversary (or later) counts for that anniversary
REVIEW_EARLY = timedelta(days=max(REVIEW_LEADS) + 60)


def due_lead(today: date, anchor: date, leads: tuple[int, ...]) -> int | None:
    """The reminder stage reached before `anchor` (the shortest lead whose day has come), or None when it
    is too early or the day has passed. A job that was down sends only the nearest stage, not each one."""
    if today > anchor:
        return None
    days_left = (anchor - today).days
    reached = [lead for lead in leads if days_left <= lead]
    return min(reached) if reached else None


def next_review_on(issued_on: date, expires_on: date, last_review_on: date | None, today: date) -> date | None:
    """The first anniversary of `issued_on`, today or later, whose review is not done yet (a missed one
    does not hold back the next year's reminder); None when that is the expiry date itself or later
    (renewal, not review, is due then)."""
    done = last_review_on or issued_on
    years = 1
    while True:
        anniversary = add_months(issued_on, 12 * years)
        if anniversary >= expires_on:
            return None
        if anniversary >= today and done < anniversary - REVIEW_EARLY:
            return anniversary
        years += 1


__all__ = ["EXPIRY_LEADS", "REVIEW_EARLY", "REVIEW_LEADS", "due_lead", "next_review_on"]
