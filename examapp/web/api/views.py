"""The JSON taking flow (DESIGN §4): the same services and rules as the pages (S16)."""
from flask import abort, jsonify, request, session
from flask_login import current_user, login_user
from flask_wtf.csrf import generate_csrf

from ...clock import utcnow
from ...errors import Conflict, DomainError, LoginThrottled, NotFound, ValidationError
from ...extensions import csrf
from ...security import public, roles
from ...services import auth as auth_service
from ...services import exams
from . import bp

TAKERS = ("employee",)


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400)
    return body


def _user_json(user) -> dict:
    return {"id": user.id, "username": user.username, "name": user.name, "unit": user.unit.name,
            "roles": sorted(user.role_names)}


def _iso(value) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


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
        shown = exams.exam_rules.show_results(utcnow(), exams.policy_of(attempt.exam))
        data.update(score=attempt.score if shown else None, passed=attempt.passed if shown else None)
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
    try:
        seq = exams.save_answer(current_user, attempt_id, question_id, body.get("response"), body.get("seq"),
                                now=utcnow(), flagged=body.get("flagged") if isinstance(body.get("flagged"), bool)
                                else None)
    except ValidationError as e:
        return jsonify(error=e.message, field=e.field), 400
    except Conflict as e:
        attempt = exams.get_attempt(current_user, attempt_id)
        return jsonify(saved=False, error=e.message, deadline=_iso(attempt.deadline),
                       server_time=_iso(utcnow())), 409
    attempt = exams.get_attempt(current_user, attempt_id)
    # the page's timer resyncs from these on every save (F8)
    return jsonify(saved=True, seq=seq, deadline=_iso(attempt.deadline), server_time=_iso(utcnow()))


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
    exams.record_integrity(current_user, attempt_id, kind, now=utcnow(), ip=request.remote_addr or "")
    return jsonify(recorded=True)


@bp.errorhandler(NotFound)
def not_found(e):
    return jsonify(error=e.message), 404


@bp.errorhandler(DomainError)
def domain_error(e):
    return jsonify(error=e.message), e.status
