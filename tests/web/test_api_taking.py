"""The JSON taking flow of DESIGN §4, with CSRF on as in production."""
from datetime import timedelta

import pytest

from tests.conftest import NOW, PASSWORD, make_exam


@pytest.fixture
def open_exam(world, small_law):
    """An exam open now (by the real clock) for unit A's subtree."""
    from examapp.clock import utcnow
    return make_exam([["test_law", "single", None, 1, 50], ["test_law", "judge", None, 1, 50]],
                     opens_at=utcnow() - timedelta(hours=1), closes_at=utcnow() + timedelta(days=1))


@pytest.fixture
def api(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False


def login(client, username="employee", password=PASSWORD):
    r = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    return r, (r.get_json() or {}).get("csrf_token")


def test_login(api, world):
    r, token = login(api, password="wrong")
    assert r.status_code == 401 and token is None
    r, token = login(api)
    assert r.status_code == 200 and token and r.get_json()["user"]["username"] == "employee"
    assert api.post("/api/v1/auth/login", data="not json").status_code == 400


def test_the_whole_flow(api, world, open_exam):
    _r, token = login(api)
    headers = {"X-CSRFToken": token}
    listed = api.get("/api/v1/exams").get_json()["exams"]
    assert listed[0]["id"] == open_exam.id and listed[0]["can_start"] and listed[0]["attempts_left"] == 3
    assert api.post(f"/api/v1/exams/{open_exam.id}/attempts").status_code == 400       # no CSRF token (S3)
    r = api.post(f"/api/v1/exams/{open_exam.id}/attempts", headers=headers)
    assert r.status_code == 201
    attempt = r.get_json()["attempt"]
    assert "answer" not in repr(attempt["questions"]) and len(attempt["questions"]) == 2   # S4
    again = api.post(f"/api/v1/exams/{open_exam.id}/attempts", headers=headers)
    assert again.status_code == 200 and again.get_json()["attempt"]["id"] == attempt["id"]
    judge = next(q for q in attempt["questions"] if q["type"] == "judge")
    url = f"/api/v1/attempts/{attempt['id']}/answers/{judge['id']}"
    saved = api.put(url, json={"response": True, "seq": 2}, headers=headers)
    assert saved.status_code == 200 and saved.get_json()["saved"] and saved.get_json()["deadline"]
    stale = api.put(url, json={"response": False, "seq": 1}, headers=headers)
    assert api.put(url, json={"response": True, "seq": 4}, headers=headers).status_code == 200
    assert stale.status_code == 409                                                     # F5
    assert api.put(url, json={"response": True, "seq": "x"}, headers=headers).status_code == 400
    assert api.put(url, json={"response": True, "seq": 10**12}, headers=headers).status_code == 400
    assert api.put(url, json={"response": "长" * 30_000, "seq": 3}, headers=headers).status_code == 400
    assert api.put(url, json={"response": {"a": [1, {"b": None}]}, "seq": 5}, headers=headers).status_code == 200
    assert api.put(url, json={"response": True, "seq": 6}, headers=headers).status_code == 200
    assert api.put(url, data="{", headers={**headers, "Content-Type": "application/json"}).status_code == 400
    done = api.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers).get_json()
    assert done == {"status": "submitted", "score": 50.0, "passed": False}
    assert api.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers).get_json() == done   # S6
    assert api.put(url, json={"response": True, "seq": 9}, headers=headers).status_code == 409       # F6
    status = api.get(f"/api/v1/attempts/{attempt['id']}").get_json()
    assert status["status"] == "submitted" and "questions" not in status


def test_other_people_get_404(app, world, open_exam):
    owner = app.test_client()
    login(owner)
    attempt = owner.post(f"/api/v1/exams/{open_exam.id}/attempts").get_json()["attempt"]
    other = app.test_client()
    login(other, "victim")
    assert other.get(f"/api/v1/attempts/{attempt['id']}").status_code == 404              # S1
    assert other.post(f"/api/v1/attempts/{attempt['id']}/submit").status_code == 404
    assert other.get("/api/v1/attempts/999999").status_code == 404
    outsider = app.test_client()
    login(outsider, "bperson")
    assert outsider.post(f"/api/v1/exams/{open_exam.id}/attempts").status_code == 404
    assert outsider.get("/api/v1/exams").get_json() == {"exams": []}


def test_anonymous_gets_401_json(app, world):
    r = app.test_client().get("/api/v1/exams")
    assert r.status_code == 401 and r.is_json


def test_openapi_describes_every_api_route(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    described = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi":
            path = rule.rule.replace("<int:", "{").replace(">", "}")
            routes |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == described


def test_after_the_close_each_request_enforces_the_window(api, world, small_law, monkeypatch):
    """F13/S5/S16: with no scheduler running, the API applies the window on every request: after the close a
    save is refused and the saved answer stays, a late submit submits the saved answers, a new start is refused."""
    from sqlalchemy import select

    from examapp.extensions import db
    from examapp.models import Answer, Attempt

    closes = NOW + timedelta(hours=1)
    exam = make_exam([["test_law", "judge", None, 1, 100]], closes_at=closes, shuffle_options=False)
    clock = {"now": NOW + timedelta(minutes=40)}
    monkeypatch.setattr("examapp.web.api.views.utcnow", lambda: clock["now"])
    _r, token = login(api)
    headers = {"X-CSRFToken": token}
    attempt = api.post(f"/api/v1/exams/{exam.id}/attempts", headers=headers).get_json()["attempt"]
    assert attempt["deadline"] == closes.isoformat() + "Z"                     # capped by the close
    url = f"/api/v1/attempts/{attempt['id']}/answers/{attempt['questions'][0]['id']}"
    assert api.put(url, json={"response": True, "seq": 1}, headers=headers).status_code == 200

    clock["now"] = closes + timedelta(seconds=1)
    late = api.put(url, json={"response": False, "seq": 2}, headers=headers)
    assert late.status_code == 409 and late.get_json()["saved"] is False and "作答时间已到" in late.get_json()["error"]

    clock["now"] = closes + timedelta(minutes=2)                                # past the grace, nobody auto-submitted
    assert api.get(f"/api/v1/attempts/{attempt['id']}").get_json()["status"] == "running"
    done = api.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers)
    assert done.get_json() == {"status": "submitted", "score": 100.0, "passed": True}   # the saved answer counts
    stored = db.session.get(Attempt, attempt["id"])
    assert stored.submitted_by == "overdue" and stored.submitted_at == clock["now"]
    assert db.session.execute(select(Answer.response, Answer.seq).where(Answer.attempt_id == stored.id)).all() \
        == [(True, 1)]
    again = api.post(f"/api/v1/exams/{exam.id}/attempts", headers=headers)
    assert again.status_code == 409                                               # the exam is closed
    listed = api.get("/api/v1/exams").get_json()["exams"]
    assert listed[0]["status"] == "done" and not listed[0]["can_start"]


def test_a_pending_password_change_is_a_json_403(api, world):
    """S16: the pages send such a person to the change-password form; the API answers 403 JSON, as documented."""
    from tests.conftest import make_user
    make_user("newcomer", world.a1, must_change=True)
    r, _token = login(api, "newcomer")
    assert r.status_code == 200
    refused = api.get("/api/v1/exams")
    assert refused.status_code == 403 and "修改初始密码" in refused.get_json()["error"]


def test_a_two_hour_exam_still_submits_with_the_token_it_started_with(api, world, small_law, monkeypatch):
    """F14: neither the CSRF token nor the session expires under a taker during a long exam."""
    import time as real_time

    start = NOW + timedelta(minutes=5)
    exam = make_exam([["test_law", "judge", None, 1, 100]], duration=150, shuffle_options=False)
    clock = {"now": start}
    monkeypatch.setattr("examapp.web.api.views.utcnow", lambda: clock["now"])
    _r, token = login(api)
    headers = {"X-CSRFToken": token}
    attempt = api.post(f"/api/v1/exams/{exam.id}/attempts", headers=headers).get_json()["attempt"]
    url = f"/api/v1/attempts/{attempt['id']}/answers/{attempt['questions'][0]['id']}"
    assert api.put(url, json={"response": True, "seq": 1}, headers=headers).status_code == 200

    later = real_time.time() + 2 * 3600 + 60                    # signatures and sessions see 2 h later too
    monkeypatch.setattr(real_time, "time", lambda: later)
    clock["now"] = start + timedelta(hours=2, minutes=1)
    assert api.put(url, json={"response": True, "seq": 2}, headers=headers).status_code == 200
    done = api.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers)
    assert done.status_code == 200 and done.get_json()["status"] == "submitted"


def test_the_paper_page_labels_each_question_in_the_chosen_language(api, world, open_exam):
    """The per-question labels are translated once per page and filled in per question."""
    import re
    _r, token = login(api)
    attempt = api.post(f"/api/v1/exams/{open_exam.id}/attempts", headers={"X-CSRFToken": token}).get_json()["attempt"]
    page = api.get(f"/exams/attempts/{attempt['id']}").get_data(as_text=True)
    titles = re.findall(r'id="q\d+-title">(.*?)</h2>', page, re.S)
    assert [re.sub(r"<[^>]+>|\s+", " ", t).split() for t in titles] == [
        ["第", str(n), "题", {"single": "单选题", "judge": "判断题"}[q["type"]], "50", "分"]
        for n, q in enumerate(attempt["questions"], 1)]
    assert 'aria-label="第 2 题">2</button>' in page
    api.get("/lang/en")
    page = api.get(f"/exams/attempts/{attempt['id']}").get_data(as_text=True)
    assert "Question 1" in page and 'aria-label="Question 2">2</button>' in page and "50 points" in page
    assert "第 1 题" not in page

