"""The JSON taking flow (DESIGN §4) and exam results for admins: the same services and rules as the pages (S16)."""
import json
import re

from flask import jsonify, request, session
from flask_login import current_user, login_user
from flask_wtf.csrf import generate_csrf

from ...clock import utcnow
from ...errors import Conflict, DomainError, LoginThrottled, NotFound, ValidationError
from ...extensions import csrf
from ...security import public, roles
from ...services import auth as auth_service
from ...services import exam_results as results_service
from ...services import exams, snapshots
from . import bp

TAKERS = ("employee",)
RESULT_READERS = ("admin", "unit_admin", "auditor")
MAX_ID = 2**31 - 1      # ids are 32-bit integers in the database; a larger one names nothing


def _no_constants(name: str):
    raise ValueError(name)


def _json_body() -> dict:
    """The request's JSON object. NaN/Infinity, lone surrogates and absurd nesting count as malformed:
    no database column takes them, and they would otherwise end in a 500."""
    if not request.is_json:
        raise ValidationError("body", "请求体须为 JSON 对象（Content-Type: application/json）")
    try:
        body = json.loads(request.get_data(cache=True), parse_constant=_no_constants)
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError, UnicodeError):
        raise ValidationError("body", "请求体不是合法的 JSON") from None
    if not isinstance(body, dict):
        raise ValidationError("body", "请求体须为 JSON 对象")
    return body


def _user_json(user) -> dict:
    return {"id": user.id, "username": user.username, "name": user.name, "unit": user.unit.name,
            "roles": sorted(user.role_names)}


def _iso(value) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


@bp.url_value_preprocessor
def _ids_in_range(_endpoint, values):
    if values and any(isinstance(v, int) and v > MAX_ID for v in values.values()):
        raise NotFound("编号超出范围：不存在")


@bp.get("/openapi.json")
@public
def openapi():
    from .openapi import SPEC
    return jsonify(SPEC)


@bp.post("/auth/login")
@public
@csrf.exempt   # there is no token before the first login; every later write sends X-CSRFToken
def login():
    body = _json_body()
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        return jsonify(error="username and password are required"), 400
    try:
        user = auth_service.authenticate(username, password, ip=request.remote_addr or "", now=utcnow())
    except LoginThrottled as e:
        return jsonify(error=e.message), 429
    if user is None:
        return jsonify(error="工号或密码不正确"), 401
    session.clear()
    login_user(user)
    session.permanent = True
    return jsonify(user=_user_json(user), csrf_token=generate_csrf())


@bp.get("/exams")
@roles(read=TAKERS)
def my_exams():
    now = utcnow()
    rows = exams.exams_for(current_user, now=now)
    return jsonify(exams=[{"id": r.exam.id, "title": r.exam.title, "kind": r.exam.kind,
                           "opens_at": _iso(r.exam.opens_at), "closes_at": _iso(r.exam.closes_at),
                           "status": r.status, "can_start": r.can_start or r.running is not None,
                           "attempts_left": r.attempts_left} for r in rows])


def _attempt_json(attempt, *, with_paper: bool) -> dict:
    data = {"id": attempt.id, "exam_id": attempt.exam_id, "status": attempt.status,
            "started_at": _iso(attempt.started_at), "deadline": _iso(attempt.deadline),
            "server_time": _iso(utcnow())}
    if with_paper:
        data["questions"] = exams.paper_for_taker(attempt)
    if attempt.status == "submitted":
        shown = exams.score_released(attempt.exam, utcnow(), pending=attempt.pending_manual)
        data.update(grading_pending=attempt.pending_manual, score=attempt.score if shown else None, passed=attempt.passed if shown else None)
    return data


@bp.post("/exams/<int:exam_id>/attempts")
@roles(read=TAKERS, write=TAKERS)
def start(exam_id: int):
    try:
        attempt, created = exams.start_attempt(current_user, exam_id, now=utcnow(), ip=request.remote_addr or "")
    except Conflict as e:
        return jsonify(error=e.message), 409
    return jsonify(attempt=_attempt_json(attempt, with_paper=True)), 201 if created else 200


@bp.get("/attempts/<int:attempt_id>")
@roles(read=TAKERS)
def attempt_status(attempt_id: int):
    attempt = exams.get_attempt(current_user, attempt_id)
    return jsonify(_attempt_json(attempt, with_paper=attempt.status == "running"))


@bp.put("/attempts/<int:attempt_id>/answers/<int:question_id>")
@roles(read=TAKERS, write=TAKERS)
def save(attempt_id: int, question_id: int):
    body = _json_body()
    if not isinstance(body.get("flagged", False), bool):
        raise ValidationError("flagged", "flagged 须为 true 或 false")
    try:
        saved = exams.save_answer(current_user, attempt_id, question_id, body.get("response"), body.get("seq"),
                                  now=utcnow(), flagged=body.get("flagged"), ip=request.remote_addr or "")
    except ValidationError as e:
        return jsonify(error=e.message, field=e.field), 400
    except Conflict as e:
        attempt = exams.get_attempt(current_user, attempt_id)
        # `status` lets the page leave for the result when the attempt was submitted elsewhere
        return jsonify(saved=False, error=e.message, status=attempt.status, deadline=_iso(attempt.deadline),
                       server_time=_iso(utcnow())), 409
    # the page's timer resyncs from these on every save (F8)
    return jsonify(saved=True, seq=saved.seq, deadline=_iso(saved.deadline), server_time=_iso(utcnow()))


@bp.post("/attempts/<int:attempt_id>/submit")
@roles(read=TAKERS, write=TAKERS)
def submit(attempt_id: int):
    result = exams.submit(current_user, attempt_id, now=utcnow())
    data = _attempt_json(result.attempt, with_paper=False)
    return jsonify(status="submitted", score=data.get("score"), passed=data.get("passed"))


@bp.post("/attempts/<int:attempt_id>/events")
@roles(read=TAKERS, write=TAKERS)
def integrity_event(attempt_id: int):
    body = _json_body()
    kind = body.get("kind")
    if kind not in exams.INTEGRITY_KINDS:
        return jsonify(error="unknown event"), 400
    result = exams.record_integrity(current_user, attempt_id, kind, now=utcnow(), ip=request.remote_addr or "")
    attempt = result.attempt
    # past the exam's tab-switch threshold with auto-submit on, the attempt is submitted now: the page leaves
    return jsonify(recorded=result.recorded, status=attempt.status, submitted_by=attempt.submitted_by or None)


PERSON_STATUS = {"not_started": "absent", "running": "running", "submitted": "submitted", "exempt": "exempt"}


def _query_int(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", raw) or not low <= int(raw) <= high:
        raise ValidationError(name, f"{name} 须为 {low} 到 {high} 之间的整数")
    return int(raw)


def _rates(expected: int, sat: int, passed: int) -> dict:
    rate = results_service.rate
    return {"participation_rate": rate(sat, expected), "pass_rate": rate(passed, sat),
            "pass_rate_of_expected": rate(passed, expected)}


@bp.get("/exams/<int:exam_id>/results")
@roles(read=RESULT_READERS)
def exam_results(exam_id: int):
    page, per_page = _query_int("page", 1, 1, 10**6), _query_int("per_page", 50, 1, 500)
    r = results_service.results_for(current_user, exam_id)
    exam = r.exam
    rows = r.people[(page - 1) * per_page:page * per_page]
    return jsonify(
        exam={"id": exam.id, "title": exam.title, "kind": exam.kind, "year": exam.year, "status": exam.status,
              "opens_at": _iso(exam.opens_at), "closes_at": _iso(exam.closes_at), "pass_mark": exam.pass_mark,
              "total_points": exam.total_points},
        expected=r.expected, sat=r.sat, passed=r.passed, absent=len(r.absent),
        rates=_rates(r.expected, r.sat, r.passed),
        bands=[{"band": label, "count": n} for label, n in r.bands],
        units=[{"unit": u.unit, "expected": u.expected, "sat": u.sat, "passed": u.passed,
                **_rates(u.expected, u.sat, u.passed)} for u in r.units],
        people=[{"username": p.user.username, "name": p.user.name, "unit": p.unit, "attempts": p.attempts,
                 "score": p.score, "band": p.band or None, "passed": p.passed, "status": PERSON_STATUS[p.status]}
                for p in rows],
        page=page, per_page=per_page, total=len(r.people))


@bp.get("/reports/rates")
@roles(read=RESULT_READERS)
def rates_report():
    year = _query_int("year", 0, 2000, 2100) if request.args.get("year") is not None else None
    if year is None:
        raise ValidationError("year", "year 为必填（2000 到 2100）")
    unit = (request.args.get("unit") or "").strip()[:40] or None
    return jsonify(snapshots.official(current_user, year, unit, now=utcnow()).as_json())


@bp.errorhandler(NotFound)
def not_found(e):
    return jsonify(error=e.message), 404


@bp.errorhandler(DomainError)
def domain_error(e):
    if isinstance(e, ValidationError):
        return jsonify(error=e.message, field=e.field), e.status
    retry = {"Retry-After": str(e.retry_after)} if getattr(e, "retry_after", None) else {}
    return jsonify(error=e.message), e.status, retry
