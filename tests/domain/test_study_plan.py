"""Which study plan applies to a person, when hours are met, practice credit and reminder stages."""
from datetime import datetime, timedelta

from examapp.domain.study_plan import (
    Hours,
    Person,
    PlanRule,
    applicable_plan,
    due_reminder,
    is_complete,
    parse_audience,
    practice_minutes,
    validate_plan,
)

PATHS = {"R": "/1/", "A": "/1/2/", "A1": "/1/2/3/", "B": "/1/4/"}
T0 = datetime(2026, 1, 1)
EMP = Person("zhang", "/1/2/3/", frozenset({"employee"}), frozenset({"is_enforcement"}))
OTHER = Person("wang", "/1/4/", frozenset({"employee"}), frozenset())


def test_an_empty_audience_is_everyone_and_the_newest_matching_plan_wins():
    general = PlanRule(1, T0, ())
    enforcement = PlanRule(2, T0 + timedelta(days=1), (("flag", "is_enforcement"),))
    assert applicable_plan([general, enforcement], EMP, PATHS).id == 2
    assert applicable_plan([general, enforcement], OTHER, PATHS).id == 1
    # an older narrow plan does not beat a newer general one
    older_narrow = PlanRule(3, T0 - timedelta(days=1), (("user", "zhang"),))
    assert applicable_plan([general, older_narrow], EMP, PATHS).id == 1


def test_unit_tree_unit_role_and_user_entries():
    assert applicable_plan([PlanRule(1, T0, (("unit_tree", "A"),))], EMP, PATHS).id == 1
    assert applicable_plan([PlanRule(1, T0, (("unit", "A"),))], EMP, PATHS) is None        # A1 is below A
    assert applicable_plan([PlanRule(1, T0, (("unit", "A1"),))], EMP, PATHS).id == 1
    assert applicable_plan([PlanRule(1, T0, (("role", "admin"),))], EMP, PATHS) is None
    assert applicable_plan([PlanRule(1, T0, (("user", "wang"),))], OTHER, PATHS).id == 1
    assert applicable_plan([PlanRule(1, T0, (("unit_tree", "GONE"),))], EMP, PATHS) is None


def test_ties_on_creation_time_go_to_the_later_id():
    assert applicable_plan([PlanRule(1, T0), PlanRule(2, T0)], EMP, PATHS).id == 2


def test_complete_needs_total_and_compulsory_hours():
    h = Hours(compulsory=30 * 60, elective=10 * 60, practice=300)
    assert is_complete(h, required_hours=40, compulsory_hours=30, count_practice=False)
    assert not is_complete(h, required_hours=40, compulsory_hours=31, count_practice=False)
    short = Hours(compulsory=30 * 60, elective=5 * 60, practice=300)
    assert not is_complete(short, required_hours=40, compulsory_hours=30, count_practice=False)
    assert is_complete(short, required_hours=40, compulsory_hours=30, count_practice=True)


def test_practice_is_a_minute_an_answer_capped_per_day():
    assert practice_minutes([5, 100, 30]) == 5 + 30 + 30


def test_reminder_stages_30_and_7_days_before():
    deadline = datetime(2026, 12, 31)
    assert due_reminder(deadline - timedelta(days=31), deadline) is None
    assert due_reminder(deadline - timedelta(days=30), deadline) == 30
    assert due_reminder(deadline - timedelta(days=8), deadline) == 30
    assert due_reminder(deadline - timedelta(days=7), deadline) == 7
    assert due_reminder(deadline, deadline) is None


def test_audience_lines_and_plan_fields_are_checked():
    entries, problems = parse_audience("unit_tree:A\n\nflag:is_leader\nrole:employee\nuser:zhang")
    assert problems == [] and ("flag", "is_leader") in entries and len(entries) == 4
    _, problems = parse_audience("oops\nteam:A\nflag:tall")
    assert len(problems) == 3 and "第 1 行" in problems[0] and "team" in problems[1] and "tall" in problems[2]
    assert validate_plan("计划", 40, 30, 2026) == []
    assert validate_plan("", 40, 30, 2026)[0][0] == "title"
    assert validate_plan("计划", 40, 50, 2026)[0][0] == "compulsory_hours"
    assert validate_plan("计划", 0, 0, 2026)[0][0] == "required_hours"
