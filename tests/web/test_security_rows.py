"""The Security table of QUALITY.md, one test (or more) per row, each naming its id (issue 8).

Rows covered elsewhere are named in their own modules (S2 route matrix, S5/S6 taking, S7 throttle, S13 audit
chain, S14 verify page, S16 API); this module adds what those do not show."""
import io
import json
import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from examapp.extensions import db
from examapp.models import AuditEvent, QuestionVersion, User
from tests.certificate_factory import make_certificate
from tests.conftest import NOW, PASSWORD, login, make_exam, make_user, paper_answers
from tests.web.test_route_matrix import EXPECTED, cases, sample_args

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def open_exam(audience=(("unit_tree", "A"),), **settings):
    """An exam with all four simple types, open now by the real clock."""
    from examapp.clock import utcnow
    rules = [["test_law", t, None, 1, 25] for t in ("single", "judge", "multiple", "fill")]
    return make_exam(rules, audience=audience, opens_at=utcnow() - timedelta(hours=1),
                     closes_at=utcnow() + timedelta(days=1), **settings)


def row_count() -> int:
    """Rows in every table: a refused write changes none of them."""
    db.session.expire_all()
    return sum(db.session.execute(text(f'SELECT COUNT(*) FROM "{t.name}"')).scalar()
               for t in db.metadata.sorted_tables)


# -- S1: another person's objects, by id ----------------------------------------------------------------

@pytest.fixture
def others(app, world, case_law):
    """Objects of the victim (A2, same district as the employee) and of bperson (B, outside A's subtree)."""
    from examapp.services import exemptions, notifications, practice
    from examapp.services.uploads import Upload
    victims_exam = make_exam([["test_law", "judge", None, 1, 60], ["test_law", "single", None, 1, 40]],
                             shuffle_questions=False, title="甲区考试")
    victim_attempt = paper_answers(world.victim, victims_exam, judge=True, single_right=True)
    b_exam = make_exam([["test_law", "judge", None, 1, 60], ["test_law", "single", None, 1, 40]],
                       audience=(("unit_tree", "B"),), shuffle_questions=False, title="乙区考试")
    b_attempt = paper_answers(world.b_person, b_exam, judge=True, single_right=True)
    running_exam = open_exam(title="进行中的考试")
    from examapp.clock import utcnow
    from examapp.services import exams
    running, _ = exams.start_attempt(world.victim, running_exam.id, now=utcnow())
    cert = make_certificate(world.b_person, "ZF-B-000001")
    victim_cert = make_certificate(world.victim, "ZF-A2-000001")
    for c in (cert, victim_cert):     # the factory's evidence lacks fields the page prints
        c.evidence = {"hours": 48.0, "min_hours": 40, "window_months": 12, "window_from": "2025-01-01",
                      "attempts": []}
    db.session.commit()
    notifications.notify_many([world.victim], "s1", "info", "李四的私信", "李四的正文", "/exams/", NOW)
    from examapp.models import Notification
    note = db.session.scalar(select(Notification).where(Notification.user_id == world.victim.id))
    exemption = exemptions.request(world.admin, exemptions.ExemptionInput(
        username="bperson", year=NOW.year, reason_kind="illness", reason="王五住院"),
        Upload("王五诊断证明.pdf", io.BytesIO(PDF)), now=NOW)
    mock = practice.start_mock(world.victim, law="test_law", count=5, minutes=10, now=NOW)
    db.session.commit()
    return {"victim_attempt": victim_attempt, "b_attempt": b_attempt, "running": running, "cert": cert,
            "victim_cert": victim_cert, "note": note, "exemption": exemption, "mock": mock}


def assert_refused(response, *secrets):
    """404 (not 403), and nothing of the other person's in the body."""
    body = response.get_data(as_text=True)
    assert response.status_code == 404, (response.status_code, body[:300])
    for secret in secrets:
        assert secret not in body, secret


def test_s1_an_employee_cannot_reach_another_persons_attempts_mock_or_notifications(login_as, world, others):
    """S1: the employee (A1) probes the victim's (A2) attempts — page, result, API read, save, submit, events —
    the victim's mock exam and notification: 404 every time, no name and no score in the body, and the
    attempt's state is unchanged."""
    from examapp.models import Attempt, Notification
    c = login_as("employee")
    done, running = others["victim_attempt"], others["running"]
    qid = db.session.get(QuestionVersion, running.slots[0]["v"]).question_id
    secrets = ("李四", "victim", "100")
    for attempt in (done, running):
        assert_refused(c.get(f"/exams/attempts/{attempt.id}"), *secrets)
        assert_refused(c.get(f"/exams/attempts/{attempt.id}/result"), *secrets)
        assert_refused(c.get(f"/api/v1/attempts/{attempt.id}"), *secrets)
        assert_refused(c.put(f"/api/v1/attempts/{attempt.id}/answers/{qid}", json={"response": "A", "seq": 99}),
                       *secrets)
        assert_refused(c.post(f"/api/v1/attempts/{attempt.id}/events", json={"kind": "hidden"}), *secrets)
    assert_refused(c.post(f"/api/v1/attempts/{running.id}/submit"), *secrets)
    assert_refused(c.get(f"/practice/mock/{others['mock'].id}"), *secrets)
    assert_refused(c.post(f"/practice/mock/{others['mock'].id}", data={}), *secrets)
    assert_refused(c.post(f"/notifications/{others['note'].id}/open"), "李四的私信", "李四的正文")
    db.session.expire_all()
    assert db.session.get(Attempt, running.id).status == "running"
    assert db.session.get(Notification, others["note"].id).read_at is None
    # enumeration: ids that do not exist answer exactly like ids that are someone else's
    missing = c.get("/exams/attempts/999999/result")
    assert missing.status_code == 404
    assert c.get(f"/exams/attempts/{done.id}/result").get_data().replace(f"/{done.id}/".encode(), b"/ID/") == \
        missing.get_data().replace(b"/999999/", b"/ID/")


def test_s1_readers_cannot_reach_records_outside_their_subtree(app, world, others):
    """S1: the unit admin and the auditor of A probe B's answer sheet, certificate (page and PDF), exemption
    attachment, approval, person page and the people lists of B: 404, nothing of 王五's in the body."""
    secrets = ("王五", "bperson", "诊断证明")     # the certificate's number is in the probed PDF URL itself
    b_attempt, cert, exemption = others["b_attempt"], others["cert"], others["exemption"]
    for user in (world.unit_admin, world.a_auditor):
        c = app.test_client()
        assert login(c, user.username).status_code == 302
        assert_refused(c.get(f"/reports/attempts/{b_attempt.id}"), *secrets)
        if user.has_role("employee"):      # the taker's routes; an auditor-only account has none (S2: 403)
            assert_refused(c.get(f"/exams/attempts/{b_attempt.id}/result"), *secrets)
            assert_refused(c.get(f"/api/v1/attempts/{b_attempt.id}"), *secrets)
        assert_refused(c.get(f"/admin/certificates/{cert.id}"), *secrets, cert.number)
        assert_refused(c.get(f"/admin/certificates/{cert.number}.pdf"), *secrets)
        assert_refused(c.get(f"/reports/exemptions/{exemption.id}/attachment"), *secrets)
        assert_refused(c.get(f"/admin/approvals/{exemption.approval_id}"), *secrets)
        assert_refused(c.get(f"/admin/users/{world.b_person.id}"), *secrets)
        if user.has_role("unit_admin"):    # the unit form is for admins only; auditors get a 403 for the route
            assert_refused(c.get(f"/admin/units/{world.b.id}"), *secrets)
        assert_refused(c.get(f"/admin/exams/{b_attempt.exam_id}/attempts/{b_attempt.id}/integrity"), *secrets)
        for url in (f"/admin/study-progress/people?unit={world.b.id}", f"/reports/rates/people?unit={world.b.id}",
                    f"/admin/users?unit={world.b.id}"):
            r = c.get(url)
            assert r.status_code in (200, 404) and "王五" not in r.get_data(as_text=True), url
    # the same pages work for what is theirs, so the 404 above is the scope and not a broken page
    c = app.test_client()
    login(c, "unitadmin")
    assert c.get(f"/reports/attempts/{others['victim_attempt'].id}").status_code == 200
    assert c.get(f"/admin/certificates/{others['victim_cert'].id}").status_code == 200


def test_s1_an_employee_sees_only_their_own_study_hours_and_records(login_as, world, others):
    """S1: the learner's study pages take no person id: another person's id in the query string is ignored,
    and the readers' study pages refuse an employee (403 for a route, never another person's data)."""
    c = login_as("employee")
    for url in (f"/study/hours?user={world.victim.id}", f"/study/hours?user_id={world.victim.id}",
                f"/study/hours/{NOW.year}/certificate?user_id={world.victim.id}", f"/study/?user_id={world.victim.id}"):
        r = c.get(url)
        assert r.status_code in (200, 404) and "李四" not in r.get_data(as_text=True), url
        assert r.status_code == 200 or "certificate" in url   # no plan this year: no hours certificate
    assert c.get(f"/admin/study-progress/people?unit={world.a2.id}").status_code == 403


def test_s1_refusals_are_logged_with_who_and_what(login_as, world, others, caplog):
    """S1 "the attempt logged": a signed-in user refused another person's record leaves a warning naming
    the user and the URL."""
    c = login_as("employee")
    with caplog.at_level(logging.WARNING):
        assert c.get(f"/exams/attempts/{others['victim_attempt'].id}/result").status_code == 404
    lines = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert any(f"/exams/attempts/{others['victim_attempt'].id}/result" in m and "employee" in m for m in lines), lines


# -- S3: CSRF on every write ------------------------------------------------------------------------------

WRITE_ORDER = ("admin", "unit_admin", "employee", "auditor")


def _token(client, url="/login"):
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_s3_every_write_route_refuses_a_missing_or_foreign_csrf_token(app, world, small_law, others):
    """S3: every POST/PUT/DELETE route of the app (from the route matrix), used by a persona allowed to use
    it, with CSRF on: no token → 400, a token of another session → 400, and no row of any table changes
    (the audit chain included). /api/v1/auth/login is the one documented exemption (DESIGN §4: no token
    exists before the first login)."""
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        attacker = app.test_client()
        foreign = _token(attacker)
        clients = {}
        for persona in ("anonymous", *WRITE_ORDER):
            c = app.test_client()
            if persona != "anonymous":
                r = c.post("/login", data={"username": world.by_role[persona].username, "password": PASSWORD,
                                           "csrf_token": _token(c)})
                assert r.status_code == 302
            clients[persona] = c
        failures, tried = [], 0
        for rule, method in cases(app):
            if method not in ("POST", "PUT", "DELETE") or rule.endpoint == "api.login":
                continue
            allowed = EXPECTED[rule.endpoint][method]
            persona = "anonymous" if "anonymous" in allowed else next(p for p in WRITE_ORDER if p in allowed)
            url = app.url_map.bind("localhost").build(rule.endpoint, sample_args(rule, world, small_law))
            for label, extra in (("none", {}), ("foreign", {"csrf_token": foreign})):
                before, events = row_count(), db.session.scalar(select(func.count()).select_from(AuditEvent))
                r = clients[persona].open(url, method=method, data=extra)
                r2 = clients[persona].open(url, method=method, json={}, headers={"X-CSRFToken": foreign}) \
                    if label == "foreign" else r
                tried += 1
                for resp in (r, r2):
                    if resp.status_code != 400:
                        failures.append(f"{method} {url} as {persona}, token {label}: {resp.status_code}")
                if row_count() != before or \
                        db.session.scalar(select(func.count()).select_from(AuditEvent)) != events:
                    failures.append(f"{method} {url} as {persona}, token {label}: rows changed")
        assert failures == [] and tried > 80
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


# -- S4: no answer key while an attempt is open ----------------------------------------------------------

def _key_strings(attempt) -> list[str]:
    """What would give the key away: each question's explanation, fill answers, free-text references."""
    keys, shown = [], ""
    versions = [db.session.get(QuestionVersion, slot["v"]) for slot in attempt.slots]
    for v in versions:     # what the paper itself shows (an option may be another question's fill answer)
        shown += v.stem + "".join(v.options or []) + "".join(i.get("stem", "") for i in v.items or [])
    for v in versions:
        if v.explanation:
            keys.append(v.explanation)
        if v.type == "fill":
            keys += [alt for blank in v.answer for alt in blank if alt not in shown]
        for item in v.items or []:
            if item.get("reference"):
                keys.append(item["reference"])
    return keys


def test_s4_no_page_json_or_script_the_taker_reaches_shows_the_key(app, world, case_law):
    """S4: while the employee's attempt runs, the take page, the API attempt and status, the exam list and
    detail, practice (pages, a practice answer of an exam question, a mock exam's result), notifications,
    study, the home page and every static script carry no explanation, no fill answer, no `answer` field
    of the attempt's questions."""
    exam = open_exam(title="关键考试")
    c = app.test_client()
    login(c, "employee")
    r = c.post(f"/exams/{exam.id}/start")
    assert r.status_code == 302
    attempt_id = int(r.headers["Location"].rstrip("/").split("/")[-1])
    from examapp.models import Attempt
    attempt = db.session.get(Attempt, attempt_id)
    keys = _key_strings(attempt)
    assert len(keys) >= 4
    pages = {url: c.get(url) for url in (
        "/", f"/exams/attempts/{attempt_id}", f"/api/v1/attempts/{attempt_id}", "/exams/", f"/exams/{exam.id}",
        "/api/v1/exams", "/notifications/", "/study/", "/study/hours", "/practice/", "/practice/laws/test_law",
        "/practice/question?law=test_law", "/practice/notebook", "/practice/stats", "/practice/mock")}
    api = c.post(f"/api/v1/exams/{exam.id}/attempts")
    pages["POST /api/v1/exams/<id>/attempts"] = api
    for name in ("app.js", "countdown.js", "countdown_list.js", "exam.js", "study.js"):
        pages[name] = c.get(f"/static/js/{name}")
    # a practice answer of one of the exam's questions, and a mock exam drawn from the same law
    version = db.session.get(QuestionVersion, attempt.slots[0]["v"])
    pages["practice answer"] = c.post("/practice/answer", data={"question_id": version.question_id,
                                                                 "version_id": version.id, "law": "test_law",
                                                                 "r": "A"})
    mock = c.post("/practice/mock", data={"law": "test_law", "count": "5", "minutes": "10"})
    if mock.status_code == 302:
        pages["mock"] = c.get(mock.headers["Location"])
        pages["mock result"] = c.post(mock.headers["Location"], data={}, follow_redirects=True)
    leaks = []
    for name, resp in pages.items():
        body = resp.get_data(as_text=True)
        if resp.status_code >= 500:
            leaks.append(f"{name}: {resp.status_code}")
        for key in keys:
            if key in body:
                leaks.append(f"{name}: {key}")
        if resp.is_json and re.search(r'"(answer|key|explanation|reference)"\s*:', body):
            leaks.append(f"{name}: a key field in JSON")
    assert leaks == [], "\n".join(leaks)
    assert pages["practice answer"].status_code == 409 and mock.status_code == 409   # practice waits for the exam
    assert c.post(f"/api/v1/attempts/{attempt_id}/submit").status_code == 200
    assert c.get("/practice/").status_code == 200                                     # and resumes after it


# -- S8: cookies, logout, remember-me --------------------------------------------------------------------

def _set_cookies(response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.getlist("Set-Cookie")}


def test_s8_session_cookie_is_httponly_and_samesite(app, world):
    """S8: the session cookie (and the remember cookie of an employee) are HttpOnly and SameSite=Lax."""
    c = app.test_client()
    r = c.post("/login", data={"username": "victim", "password": PASSWORD, "remember": "y"})
    cookies = _set_cookies(r)
    assert {"session", "remember_token"} <= set(cookies)
    for header in cookies.values():
        assert "HttpOnly" in header and "SameSite=Lax" in header
        assert "Secure" not in header     # the testing configuration is plain http


def test_s8_production_cookies_are_secure_and_hsts_is_sent(tmp_path, monkeypatch, _pg_schema):
    """S8/S11: with the production configuration the cookies carry Secure and responses carry HSTS."""
    from examapp import create_app
    from examapp.config import ProductionConfig
    monkeypatch.setenv("EXAMAPP_CONFIG", "production")
    monkeypatch.delenv("EXAMAPP_SECURE_COOKIES", raising=False)
    url = _pg_schema or f"sqlite:///{tmp_path}/prod.db"
    prod = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "p" * 32, "INSTANCE_PATH": str(tmp_path)})
    assert prod.config["SESSION_COOKIE_SECURE"] and prod.config["REMEMBER_COOKIE_SECURE"]
    assert not prod.config.get("TESTING") and ProductionConfig.HSTS
    with prod.test_request_context("/"):
        c = prod.test_client()
        r = c.get("/login", base_url="https://localhost")
        assert "max-age=" in r.headers["Strict-Transport-Security"]
        cookie = _set_cookies(r).get("session", "")
        assert cookie and "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_s8_the_pre_logout_cookie_is_refused_after_logout(app, world):
    """S8: the session cookie copied before logout no longer signs anyone in after it."""
    c = app.test_client()
    login(c, "employee")
    stolen = c.get_cookie("session").value
    assert c.get("/").status_code == 200
    assert c.post("/logout").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    r = replay.get("/")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")
    assert replay.get("/api/v1/exams").status_code == 401


def test_s8_remember_me_is_off_for_admins_and_seven_days_for_others(app, world):
    """S8: an admin or unit admin ticking "remember me" gets no remember cookie; an employee gets one of at
    most 7 days."""
    for username in ("admin", "unitadmin"):
        r = app.test_client().post("/login", data={"username": username, "password": PASSWORD, "remember": "y"})
        assert r.status_code == 302 and "remember_token" not in _set_cookies(r), username
    r = app.test_client().post("/login", data={"username": "employee", "password": PASSWORD, "remember": "y"})
    header = _set_cookies(r)["remember_token"]
    assert app.config["REMEMBER_COOKIE_DURATION"] <= timedelta(days=7)
    from email.utils import parsedate_to_datetime

    from examapp.clock import utcnow
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", header).group(1)).replace(tzinfo=None)
    assert expires <= utcnow() + timedelta(days=7, minutes=1)


# -- S9: open redirects ---------------------------------------------------------------------------------

# what the app reads from `next` once the query string is decoded
EVIL_NEXT = ["https://evil.example", "//evil.example", "/\\evil.example", "\\\\evil.example", "https:evil.example",
             "/\t/evil.example", "///evil.example", "http://localhost@evil.example", "javascript:alert(1)",
             " //evil.example", "/\\/evil.example", "\x00//evil.example", "HTTPS://evil.example"]
# sent encoded twice: the app reads a path with %2F or %5C in it, which a browser keeps on this site
DOUBLE_ENCODED = ["%252F%252Fevil.example", "%2F%252Fevil.example", "%252F%255Cevil.example", "/%2F/evil.example",
                  "/%09/evil.example"]


def _location(client, query):
    r = client.post(f"/login?next={query}", data={"username": "employee", "password": PASSWORD})
    assert r.status_code == 302
    again = client.get(f"/login?next={query}")       # already signed in: the same rule
    assert again.status_code == 302
    return r.headers["Location"], again.headers["Location"]


@pytest.mark.parametrize("target", EVIL_NEXT)
def test_s9_login_next_to_another_site_goes_home(app, world, target):
    """S9: /login?next= with an absolute, scheme-relative or backslash target, percent-encoded or as typed,
    → the home page."""
    from urllib.parse import quote
    for query in (quote(target, safe=""), quote(target, safe="/\\:@")):
        assert _location(app.test_client(), query) == ("/", "/"), query


@pytest.mark.parametrize("query", DOUBLE_ENCODED)
def test_s9_double_encoded_targets_stay_on_the_site(app, world, query):
    """S9: a target encoded twice is a local path once decoded: the browser stays on this site."""
    from urllib.parse import urljoin, urlsplit
    for location in _location(app.test_client(), query):
        assert urlsplit(urljoin("https://exam.example.gov.cn/login", location)).netloc == "exam.example.gov.cn", location


def test_s9_a_local_next_is_followed(app, world):
    """S9: the rule keeps local targets working."""
    r = app.test_client().post("/login?next=/exams/", data={"username": "employee", "password": PASSWORD})
    assert r.headers["Location"] == "/exams/"


# -- S10: the password column ----------------------------------------------------------------------------

def test_s10_only_salted_strong_hashes_are_stored(app, world):
    """S10: production hashes with scrypt; every stored hash is scrypt/pbkdf2/argon2 with a salt; two people
    with one password get different hashes; no column holds the password itself."""
    from examapp.config import Config, ProductionConfig
    from examapp.services.passwords import hash_password, verify_password
    assert ProductionConfig.PASSWORD_HASH_METHOD == Config.PASSWORD_HASH_METHOD == "scrypt"
    twin = make_user("twin", world.a1, "employee")
    hashes = dict(db.session.execute(select(User.username, User.password_hash)).all())
    for stored in hashes.values():
        method, salt, digest = stored.split("$", 2)
        assert method.split(":")[0] in ("scrypt", "pbkdf2", "argon2"), stored
        assert len(salt) >= 16 and len(digest) >= 32 and PASSWORD not in stored
    assert hashes["twin"] != hashes["employee"] and twin.password_hash.split("$")[1] != hashes["employee"].split("$")[1]
    with app.app_context():
        app.config["PASSWORD_HASH_METHOD"] = ProductionConfig.PASSWORD_HASH_METHOD
        strong = hash_password(PASSWORD)
        assert strong.startswith("scrypt:") and verify_password(strong, PASSWORD)
        assert hash_password(PASSWORD) != strong
    row = db.session.execute(text("SELECT * FROM \"user\" WHERE username = 'employee'")).mappings().one()
    assert not any(value == PASSWORD for value in row.values())


# -- S11: headers on every route ------------------------------------------------------------------------

def _header_failures(url, r, prod=False):
    h, out = r.headers, []
    csp = h.get("Content-Security-Policy", "")
    script = re.search(r"script-src ([^;]*)", csp) or re.search(r"default-src ([^;]*)", csp)
    if not script or "'unsafe-inline'" in script.group(1) or "'unsafe-eval'" in script.group(1):
        out.append(f"{url}: script CSP {csp!r}")
    if h.get("X-Content-Type-Options") != "nosniff":
        out.append(f"{url}: nosniff")
    if "frame-ancestors 'none'" not in csp and h.get("X-Frame-Options") not in ("DENY", "SAMEORIGIN"):
        out.append(f"{url}: framing")
    if not h.get("Referrer-Policy"):
        out.append(f"{url}: Referrer-Policy")
    if ("Strict-Transport-Security" in h) != prod:
        out.append(f"{url}: HSTS {h.get('Strict-Transport-Security')!r}")
    return out


@pytest.mark.parametrize("persona", ["anonymous", "admin"])
def test_s11_every_route_sends_the_security_headers(app, world, small_law, persona):
    """S11: every route of the matrix (GET and writes), anonymous and as an admin, and the error pages:
    CSP without unsafe-inline for scripts, nosniff, frame-ancestors/X-Frame-Options, Referrer-Policy, and no
    HSTS outside production."""
    c = app.test_client()
    if persona == "admin":
        login(c, "admin")
    failures = []
    for rule, method in cases(app):
        if rule.endpoint == "auth.logout":
            continue
        url = app.url_map.bind("localhost").build(rule.endpoint, sample_args(rule, world, small_law))
        failures += _header_failures(f"{method} {url}", c.open(url, method=method, data={}))
    for url in ("/no-such-page", "/api/v1/no-such"):
        failures += _header_failures(url, c.get(url))
    assert failures == []


# -- S12: a recent password entry before sensitive changes ----------------------------------------------

def _age_password_entry(client, seconds=301):
    with client.session_transaction() as s:
        s["password_at"] -= seconds


def test_s12_a_role_change_needs_a_recent_password(app, world):
    """S12: an admin signed in more than 5 minutes ago who grants a role is sent to /account/confirm and
    nothing changes; a wrong password is refused; the right one leads back, and the grant then works."""
    from examapp.models import UserRole
    c = app.test_client()
    login(c, "admin")
    _age_password_entry(c)
    form = {"username": "victim", "name": "李四", "unit_id": world.a2.id, "role_employee": "y", "role_admin": "y",
            "scope_unit_admin": 0, "scope_auditor": 0}
    r = c.post(f"/admin/users/{world.victim.id}", data=form)
    assert r.status_code == 302 and r.headers["Location"].startswith("/account/confirm?next=")
    db.session.expire_all()
    assert {ur.role for ur in db.session.scalars(select(UserRole).where(UserRole.user_id == world.victim.id))} == \
        {"employee"}
    # a change that is not a role change needs no password
    same = dict(form, role_admin="")
    same.pop("role_admin")
    assert c.post(f"/admin/users/{world.victim.id}", data=dict(same, position="科员")).status_code == 302
    confirm = r.headers["Location"]
    page = c.get(confirm)
    assert page.status_code == 200 and 'name="password"' in page.get_data(as_text=True)
    assert c.post(confirm, data={"password": "wrong-pass"}).status_code == 400
    back = c.post(confirm, data={"password": PASSWORD})
    assert back.status_code == 302 and back.headers["Location"] == f"/admin/users/{world.victim.id}"
    assert c.post(f"/admin/users/{world.victim.id}", data=form).status_code == 302
    db.session.expire_all()
    assert "admin" in {ur.role for ur in db.session.scalars(select(UserRole).where(UserRole.user_id == world.victim.id))}
    kinds = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))
    assert "auth.reauth" in kinds


def test_s12_a_new_account_with_admin_rights_needs_a_recent_password(app, world):
    """S12: creating a person with a role beyond employee is a role grant too."""
    c = app.test_client()
    login(c, "admin")
    _age_password_entry(c)
    form = {"username": "newboss", "name": "新管理员", "unit_id": world.a1.id, "role_employee": "y",
            "role_admin": "y", "scope_unit_admin": 0, "scope_auditor": 0, "password": "Strong-pass-2026"}
    r = c.post("/admin/users/new", data=form)
    assert r.status_code == 302 and r.headers["Location"].startswith("/account/confirm")
    assert db.session.scalar(select(User).where(User.username == "newboss")) is None


def test_s12_an_approval_decision_needs_a_recent_password(app, world, others):
    """S12: deciding a four-eyes request (grade corrections, revocations, exemptions) with a stale password
    entry goes to the confirmation page and leaves the request pending."""
    from examapp.models import Approval
    approval_id = others["exemption"].approval_id
    boss = make_user("boss2", world.root, "admin", name="二号管理员")
    c = app.test_client()
    login(c, boss.username)
    _age_password_entry(c)
    r = c.post(f"/admin/approvals/{approval_id}", data={"approve": "批准", "note": ""})
    assert r.status_code == 302 and r.headers["Location"] == f"/account/confirm?next=/admin/approvals/{approval_id}"
    db.session.expire_all()
    assert db.session.get(Approval, approval_id).status == "pending"
    assert c.get(f"/admin/approvals/{approval_id}").status_code == 200     # reading needs no password
    c.post(r.headers["Location"], data={"password": PASSWORD})
    assert c.post(f"/admin/approvals/{approval_id}", data={"approve": "批准", "note": ""}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Approval, approval_id).status == "approved"


def test_s12_a_revocation_request_needs_a_recent_password(app, world, others):
    """S12: requesting a certificate's revocation with a stale password entry files no request."""
    from examapp.models import Approval
    cert = others["cert"]
    c = app.test_client()
    login(c, "admin")
    _age_password_entry(c)
    before = db.session.scalar(select(func.count()).select_from(Approval))
    r = c.post(f"/admin/certificates/{cert.id}/action", data={"kind": "revoke", "reason": "违法执法"})
    assert r.status_code == 302 and r.headers["Location"].startswith("/account/confirm")
    assert db.session.scalar(select(func.count()).select_from(Approval)) == before
    c.post(r.headers["Location"], data={"password": PASSWORD})
    r = c.post(f"/admin/certificates/{cert.id}/action", data={"kind": "revoke", "reason": "违法执法"})
    assert r.status_code == 302 and r.headers["Location"].startswith("/admin/approvals/")
    assert db.session.scalar(select(func.count()).select_from(Approval)) == before + 1


def test_s12_the_confirm_page_follows_only_local_targets_and_counts_failures(app, world):
    """S12 with S7/S9: the confirmation's `next` is held to local paths, and wrong entries count against the
    hourly login limit."""
    from examapp.models import LoginFailure
    c = app.test_client()
    login(c, "admin")
    r = c.post("/account/confirm?next=//evil.example", data={"password": PASSWORD})
    assert r.status_code == 302 and r.headers["Location"] == "/"
    c.post("/account/confirm", data={"password": "nope"})
    assert db.session.scalar(select(func.count()).select_from(LoginFailure)
                             .where(LoginFailure.username == "admin")) == 1
    app.config["LOGIN_FAILURES_PER_HOUR"] = 1
    assert c.post("/account/confirm", data={"password": PASSWORD}).status_code == 429


# -- S15: scripts in stems and names; SQL metacharacters in filters -------------------------------------

SCRIPT = "<script>alert(1)</script>"


def test_s15_a_script_in_a_name_is_escaped_on_every_page_that_shows_it(app, world, small_law, others):
    """S15: a person named with a <script> tag: every GET route of the matrix, for an admin and for the person,
    shows it escaped or not at all."""
    victim = db.session.get(User, world.victim.id)
    victim.name = f"李四{SCRIPT}"
    stem_version = db.session.get(QuestionVersion, others["running"].slots[0]["v"])
    stem_version.stem = f"期限{SCRIPT}为（  ）。"
    db.session.commit()
    failures = []
    for username in ("admin", "victim"):
        c = app.test_client()
        login(c, username)
        urls = [app.url_map.bind("localhost").build(rule.endpoint, sample_args(rule, world, small_law))
                for rule, method in cases(app) if method == "GET"
                and rule.endpoint not in ("static", "bootstrap.static", "main.set_language")]
        urls += [f"/admin/users/{victim.id}", "/admin/users?q=李四", f"/exams/attempts/{others['running'].id}",
                 f"/api/v1/attempts/{others['running'].id}", f"/reports/attempts/{others['victim_attempt'].id}",
                 f"/admin/exams/{others['victim_attempt'].exam_id}/results", "/admin/approvals",
                 f"/admin/certificates/{others['victim_cert'].id}", "/admin/questions?q=期限"]
        for url in urls:
            r = c.get(url)
            html = r.mimetype in ("text/html", "text/plain", "") or "xml" in r.mimetype
            if r.status_code >= 500 or (html and SCRIPT.encode() in r.get_data()):
                failures.append(f"{username} {url}: {r.status_code}")
    assert failures == []


SQL_META = ["' OR 1=1 --", "%", "_", "\\", "'; DROP TABLE \"user\"; --", "%' OR '1'='1"]


@pytest.mark.parametrize("value", SQL_META)
def test_s15_sql_metacharacters_in_list_filters_are_plain_text(app, world, small_law, value):
    """S15: list filters and searches of admin lists and reports take metacharacters as text: no 500, and a
    value matching nobody lists nobody (`%`, `_` and `' OR 1=1` are not wildcards or SQL)."""
    from urllib.parse import quote
    c = app.test_client()
    login(c, "admin")
    q = quote(value, safe="")
    pages = [f"/admin/users?q={q}", f"/admin/questions?q={q}", f"/audit/events?q={q}", f"/admin/units?q={q}",
             f"/admin/certificates?q={q}", f"/laws/search?q={q}", f"/reports/rates?year={q}",
             f"/reports/rates/people?unit={q}&year=2026", f"/admin/users?role={q}&flag={q}&active={q}",
             f"/reports/exemptions?year={q}", f"/admin/exams?q={q}", f"/audit/events?kind={q}&actor={q}",
             f"/study/admin/courses?q={q}", f"/admin/study-progress/people?q={q}", f"/reports/remediation?q={q}",
             f"/api/v1/reports/rates?year=2026&unit={q}", f"/admin/approvals?status={q}"]
    for url in pages:
        r = c.get(url)
        assert r.status_code < 500, (url, r.status_code)
    people = c.get(f"/admin/users?q={q}").get_data(as_text=True)
    assert "张三" not in people and "李四" not in people and "王五" not in people
    assert db.session.scalar(select(func.count()).select_from(User)) == 7


def test_s15_a_literal_percent_or_underscore_in_a_name_is_found_literally(app, world):
    """S15: `%` and `_` search for themselves: a person named with them is found, the others are not."""
    make_user("pct", world.a1, "employee", name="百分%号")
    make_user("und", world.a1, "employee", name="下划_线")
    c = app.test_client()
    login(c, "admin")
    assert "百分%号" in c.get("/admin/users?q=%25").get_data(as_text=True)
    page = c.get("/admin/users?q=_").get_data(as_text=True)
    assert "下划_线" in page and "张三" not in page


# -- S3 for JSON: the API writes refuse a foreign X-CSRFToken -------------------------------------------

def test_s3_api_writes_with_a_foreign_header_token_are_400(app, world, small_law):
    """S3: the API's writes (start, save, submit, events) with the token of another session → 400, no attempt."""
    from examapp.models import Attempt
    exam = open_exam()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        thief = app.test_client()
        foreign = thief.post("/api/v1/auth/login", json={"username": "victim", "password": PASSWORD}).get_json()["csrf_token"]
        c = app.test_client()
        own = c.post("/api/v1/auth/login", json={"username": "employee", "password": PASSWORD}).get_json()["csrf_token"]
        assert c.post(f"/api/v1/exams/{exam.id}/attempts", headers={"X-CSRFToken": foreign}).status_code == 400
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0
        attempt = c.post(f"/api/v1/exams/{exam.id}/attempts", headers={"X-CSRFToken": own}).get_json()["attempt"]
        qid = attempt["questions"][0]["id"]
        for method, url, body in (("PUT", f"/api/v1/attempts/{attempt['id']}/answers/{qid}", {"response": "A", "seq": 1}),
                                  ("POST", f"/api/v1/attempts/{attempt['id']}/events", {"kind": "hidden"}),
                                  ("POST", f"/api/v1/attempts/{attempt['id']}/submit", {})):
            assert c.open(url, method=method, json=body, headers={"X-CSRFToken": foreign}).status_code == 400, url
        db.session.expire_all()
        assert db.session.get(Attempt, attempt["id"]).status == "running"
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


# -- S2: auditors and employees change nothing -----------------------------------------------------------

@pytest.mark.parametrize("persona", ["auditor", "employee"])
def test_s2_a_refused_write_is_403_and_changes_nothing(app, world, small_law, others, persona):
    """S2: every POST/PUT of the route matrix a persona may not use → 403 (never a redirect into the page
    or a 400 after the fact), and no row of any table changes."""
    c = app.test_client()
    login(c, world.by_role[persona].username)
    failures, tried = [], 0
    for rule, method in cases(app):
        if method not in ("POST", "PUT", "DELETE") or persona in EXPECTED[rule.endpoint][method] \
                or "anonymous" in EXPECTED[rule.endpoint][method]:
            continue
        url = app.url_map.bind("localhost").build(rule.endpoint, sample_args(rule, world, small_law))
        before = row_count()
        r = c.open(url, method=method, data={"role_admin": "y", "role": "admin", "username": "victim",
                                             "name": "篡改", "status": "approved", "approve": "y"})
        tried += 1
        if r.status_code != 403:
            failures.append(f"{method} {url}: {r.status_code}")
        if row_count() != before:
            failures.append(f"{method} {url}: rows changed")
    assert failures == [] and tried > 20


# -- S5: the deadline is the server's ----------------------------------------------------------------------

def test_s5_a_deadline_sent_by_the_client_is_ignored(app, world, small_law, monkeypatch):
    """S5: a save or submit carrying its own `deadline`/`remaining` fields changes nothing of the attempt's
    deadline; a save 2 minutes after it is refused and the stored answer stays (the late submit and the
    blocked auto-submit are tests/web/test_api_taking.py::test_after_the_close_each_request_enforces_the_window)."""
    from examapp.models import Answer, Attempt
    exam = make_exam([["test_law", "judge", None, 1, 100]], duration=30, shuffle_options=False)
    clock = {"now": NOW + timedelta(minutes=1)}
    monkeypatch.setattr("examapp.web.api.views.utcnow", lambda: clock["now"])
    c = app.test_client()
    c.post("/api/v1/auth/login", json={"username": "employee", "password": PASSWORD})
    attempt = c.post(f"/api/v1/exams/{exam.id}/attempts").get_json()["attempt"]
    deadline = db.session.get(Attempt, attempt["id"]).deadline
    url = f"/api/v1/attempts/{attempt['id']}/answers/{attempt['questions'][0]['id']}"
    forged = (deadline + timedelta(hours=5)).isoformat() + "Z"
    r = c.put(url, json={"response": True, "seq": 1, "deadline": forged, "remaining": 99999})
    assert r.status_code == 200
    assert c.get(f"/api/v1/attempts/{attempt['id']}", query_string={"deadline": forged}).get_json()["deadline"] == \
        deadline.isoformat() + "Z"
    clock["now"] = deadline + timedelta(minutes=2)
    late = c.put(url, json={"response": False, "seq": 2, "deadline": forged})
    assert late.status_code == 409
    db.session.expire_all()
    assert db.session.get(Attempt, attempt["id"]).deadline == deadline
    assert db.session.execute(select(Answer.response).where(Answer.attempt_id == attempt["id"])).scalars().all() == [True]


# -- S6: replays ---------------------------------------------------------------------------------------

def test_s6_replayed_saves_and_submits_change_nothing(app, world, small_law):
    """S6: the same save sent twice is refused the second time (409, one stored answer); the submit replayed
    by the page and by the API gives the stored result, one grade and one submit event."""
    from examapp.models import Answer, Attempt
    exam = open_exam()
    c = app.test_client()
    login(c, "employee")
    attempt = c.post(f"/api/v1/exams/{exam.id}/attempts").get_json()["attempt"]
    url = f"/api/v1/attempts/{attempt['id']}/answers/{attempt['questions'][0]['id']}"
    assert c.put(url, json={"response": "A", "seq": 3}).status_code == 200
    assert c.put(url, json={"response": "A", "seq": 3}).status_code == 409
    assert c.put(url, json={"response": "B", "seq": 3}).status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Answer).where(Answer.attempt_id == attempt["id"])) == 1
    first = c.post(f"/api/v1/attempts/{attempt['id']}/submit").get_json()
    for _ in range(3):
        assert c.post(f"/api/v1/attempts/{attempt['id']}/submit").get_json() == first
    submits = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "attempt.submit", AuditEvent.object_id == str(attempt["id"])))
    assert submits == 1
    assert db.session.get(Attempt, attempt["id"]).status == "submitted"
    assert c.put(url, json={"response": "B", "seq": 9}).status_code == 409


# -- S13: tampering -------------------------------------------------------------------------------------

def _tamper(statement):
    db.session.execute(statement)
    db.session.commit()


def test_s13_a_changed_or_deleted_audit_row_is_reported_with_its_sequence_number(app, world, runner):
    """S13: `audit verify` names the first bad sequence number after a row is changed, or deleted."""
    from sqlalchemy import delete, update

    from examapp.services import org
    for i in range(4):
        org.create_unit(world.admin, code=f"N{i}", name="x", kind="department", parent_id=world.b.id, now=NOW)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    first = db.session.scalar(select(func.min(AuditEvent.seq)))
    _tamper(update(AuditEvent).where(AuditEvent.seq == first + 2).values(data_json='{"score": 100}'))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and f"seq {first + 2}" in result.output
    _tamper(delete(AuditEvent).where(AuditEvent.seq == first + 1))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and f"seq {first + 1}" in result.output


def test_s13_a_score_changed_by_sql_is_reported(app, world, judge_exam, runner):
    """S13: a direct SQL UPDATE of a graded attempt's score → `audit verify` fails and names the event."""
    from sqlalchemy import update

    from examapp.models import Attempt
    attempt = paper_answers(world.employee, judge_exam, judge=True, single_right=False)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    _tamper(update(Attempt).where(Attempt.id == attempt.id).values(score=100, passed=True))
    result = runner.invoke(args=["audit", "verify"])
    submit = db.session.scalar(select(AuditEvent.seq).where(AuditEvent.action == "attempt.submit",
                                                            AuditEvent.object_id == str(attempt.id)))
    assert result.exit_code == 1 and f"seq {submit}" in result.output and f"作答 {attempt.id}" in result.output


# -- S14: another person's certificate -------------------------------------------------------------------

def test_s14_an_employee_cannot_download_or_forge_a_certificate(app, world, others):
    """S14: an employee asking for another person's certificate PDF or page is refused without seeing it;
    a made-up number on the public page is a 404 naming nobody; the employee's own hours certificate takes
    no person id."""
    c = app.test_client()
    login(c, "employee")
    number = others["victim_cert"].number
    for url in (f"/admin/certificates/{number}.pdf", f"/admin/certificates/{others['victim_cert'].id}"):
        r = c.get(url)
        assert r.status_code == 403 and "李四" not in r.get_data(as_text=True) and not r.data.startswith(b"%PDF")
    forged = app.test_client().get("/verify/ZF-A2-999999")
    assert forged.status_code == 404 and "李四" not in forged.get_data(as_text=True)
    real = app.test_client().get(f"/verify/{number}").get_data(as_text=True)
    assert "李四" in real and "victim" not in real


def test_s12_a_roster_import_needs_a_recent_password(app, world):
    """S12: a people import grants and revokes roles, so it asks for the password before the file is read, and
    an apply that arrives with a stale entry changes nothing (the progress stream sends the page to confirm)."""
    c = app.test_client()
    login(c, "admin")
    roster = "工号,姓名,单位编码,角色\nboss2,新管理员,A1,学员、系统管理员\n".encode()

    def preview():
        return c.post("/admin/imports/preview", data={"kind": "people", "file": (io.BytesIO(roster), "p.csv")},
                      content_type="multipart/form-data")
    _age_password_entry(c)
    r = preview()
    assert r.status_code == 302 and r.headers["Location"].startswith("/account/confirm?next=/admin/imports")
    assert c.post(r.headers["Location"], data={"password": PASSWORD}).status_code == 302
    html = preview().get_data(as_text=True)
    token = re.search(r'name="token"[^>]*value="([^"]+)"', html).group(1)
    _age_password_entry(c)
    apply = {"kind": "people", "token": token, "filename": "p.csv", "initial_password": "Welcome-2026"}
    streamed = c.post("/admin/imports/apply", data=apply, headers={"Accept": "application/x-ndjson"})
    line = json.loads(streamed.get_data(as_text=True).splitlines()[0])
    assert line["ok"] is False and line["confirm"].startswith("/account/confirm")
    plain = c.post("/admin/imports/apply", data=apply)
    assert plain.status_code == 302 and plain.headers["Location"].startswith("/account/confirm")
    assert db.session.scalar(select(User).where(User.username == "boss2")) is None
