from datetime import date

from examapp.domain.certificate_reminders import EXPIRY_LEADS, due_lead, next_review_on


def test_due_lead_is_the_nearest_stage_reached():
    anchor = date(2026, 9, 11)
    assert due_lead(date(2026, 3, 14), anchor, EXPIRY_LEADS) is None       # 181 days
    assert due_lead(date(2026, 3, 15), anchor, EXPIRY_LEADS) == 180
    assert due_lead(date(2026, 6, 13), anchor, EXPIRY_LEADS) == 90
    assert due_lead(date(2026, 8, 12), anchor, EXPIRY_LEADS) == 30
    assert due_lead(anchor, anchor, EXPIRY_LEADS) == 30
    assert due_lead(date(2026, 9, 12), anchor, EXPIRY_LEADS) is None       # passed


def test_next_review_is_the_next_anniversary_not_yet_reviewed():
    issued, expires = date(2024, 2, 29), date(2029, 2, 28)
    assert next_review_on(issued, expires, None, date(2024, 6, 1)) == date(2025, 2, 28)
    assert next_review_on(issued, expires, date(2025, 2, 1), date(2025, 2, 10)) == date(2026, 2, 28)
    # a missed review does not hold back the next one
    assert next_review_on(issued, expires, None, date(2025, 6, 1)) == date(2026, 2, 28)
    # the fifth anniversary is the expiry: renewal, not review
    assert next_review_on(issued, expires, date(2028, 2, 20), date(2028, 6, 1)) is None
