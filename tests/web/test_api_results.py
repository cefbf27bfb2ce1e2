"""GET /api/v1/exams/<id>/results: the admin results page's figures as JSON, scoped like every admin view."""
from datetime import timedelta

import pytest

from examapp.services import exams
from tests.conftest import NOW, make_exam


def take(user, exam, response, *, submit=True):
    attempt, _ = exams.start_attempt(user, exam.id, now=NOW)
    question_id = exams.paper_for_taker(attempt)[0]["id"]
    exams.save_answer(user, attempt.id, question_id, response, 1, now=NOW + timedelta(minutes=1))
    if submit:
        exams.submit(user, attempt.id, now=NOW + timedelta(minutes=2))


@pytest.fixture
def sat_exam(world, small_law):
    """For the whole bureau: 张三 (A1) 100 points, 王五 (B) 0, 甲管理员 (A) still writing, the rest absent."""
    exam = make_exam([["test_law", "judge", None, 1, 100]], audience=(("unit_tree", "R"),), shuffle_options=False)
    take(world.employee, exam, True)
    take(world.b_person, exam, False)
    take(world.unit_admin, exam, True, submit=False)
    return exam


def get(client, exam_id, **query):
    r = client.get(f"/api/v1/exams/{exam_id}/results", query_string=query)
    return r.status_code, r.get_json()


def test_admin_sees_the_whole_audience(login_as, sat_exam):
    """S16: the same figures as the results page — expected, sat, passed, rates, units, people by name."""
    status, body = get(login_as("admin"), sat_exam.id)
    assert status == 200
    assert (body["expected"], body["sat"], body["passed"], body["absent"], body["total"]) == (5, 2, 1, 2, 5)
    assert body["rates"] == {"participation_rate": 0.4, "pass_rate": 0.5, "pass_rate_of_expected": 0.2}
    assert body["exam"]["id"] == sat_exam.id and body["exam"]["pass_mark"] == 60
    people = {p["username"]: p for p in body["people"]}
    assert people["employee"] == {"username": "employee", "name": "张三", "unit": "甲区局 · 甲区综合股", "attempts": 1,
                                  "score": 100.0, "band": "优秀", "passed": True, "status": "submitted"}
    assert people["bperson"]["score"] == 0 and not people["bperson"]["passed"] and people["bperson"]["band"] == "不合格"
    assert people["unitadmin"]["status"] == "running" and people["unitadmin"]["score"] is None
    assert people["victim"] == {"username": "victim", "name": "李四", "unit": "甲区局 · 甲区工业股", "attempts": 0,
                                "score": None, "band": None, "passed": False, "status": "absent"}
    units = {u["unit"]: u for u in body["units"]}
    assert units["乙区局"] == {"unit": "乙区局", "expected": 1, "sat": 1, "passed": 0, "participation_rate": 1.0,
                            "pass_rate": 0.0, "pass_rate_of_expected": 0.0}
    assert units["甲区局 · 甲区工业股"]["pass_rate"] is None                # nobody sat: no rate, not 0
    assert dict((b["band"], b["count"]) for b in body["bands"]) == {"优秀": 1, "良好": 0, "合格": 0, "不合格": 1}


@pytest.mark.parametrize("who", ["unitadmin", "aauditor"])
def test_unit_admins_and_auditors_see_their_subtree_only(app, world, sat_exam, login_as, who):
    """S2/S16: a unit admin or a scoped auditor of A sees A's people and nobody from B."""
    status, body = get(login_as(getattr(world, {"unitadmin": "unit_admin", "aauditor": "a_auditor"}[who])),
                       sat_exam.id)
    assert status == 200
    assert sorted(p["username"] for p in body["people"]) == ["employee", "unitadmin", "victim"]
    assert (body["expected"], body["sat"], body["passed"], body["total"]) == (3, 1, 1, 3)
    assert all(not u["unit"].startswith("乙") for u in body["units"])


def test_the_bureau_auditor_sees_everyone(login_as, sat_exam):
    """S16: an auditor scoped to the bureau's root reads the whole audience, as on the results page."""
    status, body = get(login_as("auditor"), sat_exam.id)
    assert status == 200 and body["total"] == 5


def test_employees_get_403_and_other_units_exams_404(app, world, small_law, sat_exam, login_as):
    """S1/S2: an employee is refused; an exam with nobody of the caller's units in it is not found."""
    status, body = get(login_as("employee"), sat_exam.id)
    assert status == 403 and body["error"]
    b_only = make_exam([["test_law", "judge", None, 1, 100]], audience=(("unit_tree", "B"),), title="乙区专项考试")
    status, body = get(login_as("unit_admin"), b_only.id)
    assert status == 404 and "乙区" not in repr(body)
    assert get(login_as("admin"), b_only.id)[0] == 200
    assert get(login_as("admin"), 999999)[0] == 404
    assert get(login_as("admin"), 10**20)[0] == 404                  # larger than any id: not a database error
    assert get(app.test_client(), sat_exam.id)[0] == 401


def test_people_are_paginated(login_as, sat_exam):
    """S16: the people are paged (page/per_page, total); a bad page number is a 400 naming the parameter."""
    client = login_as("admin")
    _s, everyone = get(client, sat_exam.id)
    status, page2 = get(client, sat_exam.id, page=2, per_page=2)
    assert status == 200 and (page2["page"], page2["per_page"], page2["total"]) == (2, 2, 5)
    assert page2["people"] == everyone["people"][2:4]
    assert page2["expected"] == 5                                     # the figures always cover everyone
    assert get(client, sat_exam.id, page=9)[1]["people"] == []
    for query, field in (({"page": "x"}, "page"), ({"page": 0}, "page"), ({"per_page": 501}, "per_page"),
                         ({"per_page": "²"}, "per_page"), ({"page": "-1"}, "page")):
        status, body = get(client, sat_exam.id, **query)
        assert status == 400 and body["field"] == field, query
