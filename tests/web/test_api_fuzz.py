"""Generated requests against every operation of /api/v1/openapi.json, with CSRF on as in production.

The budget is fixed and deterministic (the same requests on every run), on SQLite and on PostgreSQL.
"""
import random
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from examapp.web.api.openapi import SPEC
from tests.conftest import PASSWORD, make_exam

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
CONFIG = schemathesis.Config.from_dict({
    "seed": 2026,
    # the session cookie and the CSRF header are the caller's own, never generated
    "generation": {"deterministic": True, "database": "none", "with-security-parameters": False},
})
OPERATIONS = [(path, method.upper()) for path, ops in SPEC["paths"].items() for method in ops]
EXAMPLES = 24     # per operation and caller: the whole file runs in well under a minute


@pytest.fixture
def taking_day(app, world, small_law):
    """An exam open now for unit A, with the employee's attempt running: the real ids to aim at."""
    from examapp.clock import utcnow
    from examapp.services import exams
    exam = make_exam([["test_law", "single", None, 1, 50], ["test_law", "judge", None, 1, 50]],
                     opens_at=utcnow() - timedelta(hours=1), closes_at=utcnow() + timedelta(days=1))
    attempt, _ = exams.start_attempt(world.employee, exam.id, now=utcnow(), rng=random.Random(1))
    return {"exam_id": exam.id, "attempt_id": attempt.id,
            "question_id": exams.paper_for_taker(attempt)[0]["id"]}


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def login(client, username: str) -> dict:
    r = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200
    return {"X-CSRFToken": r.get_json()["csrf_token"]}


def test_the_document_is_valid_openapi(app):
    """S16: /api/v1/openapi.json passes the OpenAPI 3.1 schema, so clients and the generator can rely on it."""
    schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG).validate()


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_generated_requests(app, taking_day, csrf_on, path, method):
    """S16 and bad input everywhere: no generated request gets a 5xx, and every answer is JSON whose status
    code and body the document describes (its 400/401/403/404/409/429 error bodies included). Sent without
    a login, then as the employee with the session cookie and the X-CSRFToken header (results: also as the
    admin and the unit admin)."""
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)[path][method]
    real_ids = {name: value for name, value in taking_day.items() if "{" + name + "}" in path}
    cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                      operation.as_strategy(GenerationMode.NEGATIVE),
                      operation.as_strategy(GenerationMode.POSITIVE, path_parameters=real_ids))
    for_readers = path.endswith("/results") or path.startswith("/api/v1/reports/")     # admins, auditors
    callers = ["anonymous", "employee"] + (["admin", "unitadmin"] if for_readers else [])
    for who in callers:
        client = app.test_client()
        headers = login(client, who) if who != "anonymous" else {}
        statuses = send_all(cases, client, headers)
        if who == "anonymous" and path != "/api/v1/auth/login":
            assert statuses <= {400, 401, 404}, statuses    # nothing past the login but refusals
        if who != "anonymous" and path != "/api/v1/auth/login" and (who == "employee") != for_readers:
            assert 200 in statuses, statuses                # the generated calls reached the real rows too


def send_all(cases, client, headers: dict) -> set[int]:
    """Send EXAMPLES generated requests with this caller's cookie and headers, checking every answer."""
    statuses = set()

    @given(case=cases)
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck))
    def run(case):
        response = case.call_and_validate(session=client, headers=headers, checks=CHECKS)
        statuses.add(response.status_code)

    run()
    return statuses


HOSTILE = ['{"response": NaN, "seq": 1}', '{"response": Infinity, "seq": 1}', '{"response": "\\ud800", "seq": 1}',
           '{"username": "\\udfff", "password": "x"}', '{"username": "a\\u0000b", "password": "x"}',
           "[" * 50_000 + "]" * 50_000, '{"a": ' * 5_000 + "1" + "}" * 5_000, b"\xff\xfe{}", "", "null",
           '{"response": "A", "seq": 1, "flagged": "yes"}', '{"kind": ["hidden"]}']


def test_hostile_bodies_are_refused_not_500(app, taking_day, csrf_on):
    """S16, bad input: bodies no generator sends (NaN, lone surrogates, NUL in a name, deep nesting, bad UTF-8)
    get a 4xx JSON answer, never a 500 — on PostgreSQL too, which stores none of them."""
    client = app.test_client()
    headers = {**login(client, "employee"), "Content-Type": "application/json"}
    ids = taking_day
    urls = [("POST", "/api/v1/auth/login"), ("POST", f"/api/v1/exams/{ids['exam_id']}/attempts"),
            ("PUT", f"/api/v1/attempts/{ids['attempt_id']}/answers/{ids['question_id']}"),
            ("POST", f"/api/v1/attempts/{ids['attempt_id']}/events")]
    for method, url in urls:
        for body in HOSTILE:
            r = client.open(url, method=method, data=body, headers=headers)
            assert r.status_code < 500 and r.is_json, (method, url, str(body)[:40], r.status_code)
            if r.status_code == 400:
                assert r.get_json()["error"]
    r = client.put(urls[2][1], data=HOSTILE[-2], headers=headers)
    assert r.status_code == 400 and r.get_json()["field"] == "flagged"


def test_a_nul_in_the_login_name_is_a_wrong_login(client, world):
    """S16, bad input: PostgreSQL cannot compare a NUL; the sign-in page and the API answer as for a wrong name."""
    page = client.post("/login", data={"username": "employee\x00", "password": PASSWORD})
    assert page.status_code == 401 and "工号或密码不正确" in page.get_data(as_text=True)
    api = client.post("/api/v1/auth/login", json={"username": "\x00", "password": PASSWORD})
    assert api.status_code == 401
