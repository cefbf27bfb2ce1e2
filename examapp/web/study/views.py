"""The learner's study pages and the heartbeat endpoints the lesson page calls."""
from flask import current_app, jsonify, render_template, request, send_file, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from ...clock import utcnow
from ...errors import NotFound
from ...security import roles
from ...services import law_reader, study
from ..admin.exam_forms import to_local
from . import bp

LEARNERS = ("employee",)
FILE_CSP = "default-src 'none'; img-src 'self'; media-src 'self'; frame-ancestors 'self'"


@bp.get("/")
@roles(read=LEARNERS)
def mine():
    year_arg = request.args.get("year", "")
    this_year = to_local(utcnow()).year
    rows, years, year = study.courses_for(current_user, int(year_arg) if year_arg.isdigit() and len(year_arg) <= 4
                                          else None, default=this_year)
    return render_template("study/mine.html", rows=rows, years=years, year=year,
                           kinds=study.KIND_LABELS, categories=study.CATEGORY_LABELS)


@bp.get("/courses/<int:course_id>")
@roles(read=LEARNERS)
def course(course_id: int):
    found = study.course_for(current_user, course_id)
    records = study.records_of(current_user.id, [lesson.id for lesson in found.lessons])
    return render_template("study/course.html", course=found, records=records, kinds=study.KIND_LABELS,
                           offline=study.OFFLINE_LABELS, categories=study.CATEGORY_LABELS)


def _law_content(lesson) -> dict:
    try:
        law = law_reader.get_law(lesson.law_code)
    except NotFound:
        return {"law": None}
    if lesson.law_part_id:
        try:
            part, articles = law_reader.part_articles(law, lesson.law_part_id)
        except NotFound:        # the law was amended since: its chapters are new rows; read the whole law
            part, articles = None, []
        if part is not None:
            return {"law": law, "part": part, "articles": articles}
    return {"law": law, "part": None, "nodes": law_reader.toc(law)}


@bp.get("/lessons/<int:lesson_id>")
@roles(read=LEARNERS + ("admin",))
def lesson(lesson_id: int):
    found = study.lesson_for(current_user, lesson_id)
    record = study.record_for(current_user.id, found.id)
    online = found.kind in study.ONLINE_KINDS and found.course.status == "published" \
        and study.in_course_audience(found.course, current_user)
    content = _law_content(found) if found.kind == "law_reading" else {}
    return render_template("study/lesson.html", lesson=found, course=found.course, record=record, online=online,
                           kinds=study.KIND_LABELS, offline=study.OFFLINE_LABELS, csrf=generate_csrf(),
                           beat_seconds=current_app.config["STUDY_BEAT_SECONDS"], **content)


@bp.get("/lessons/<int:lesson_id>/file")
@roles(read=LEARNERS + ("admin",))
def lesson_file(lesson_id: int):
    path, found = study.lesson_file(current_user, lesson_id)
    response = send_file(path, mimetype=found.mime_type, conditional=True, as_attachment=False,
                         download_name=found.file_name or f"lesson-{found.id}", max_age=0)
    response.cache_control.private = True
    response.headers["Content-Security-Policy"] = FILE_CSP   # may be framed by the lesson page, runs nothing
    return response


def _beat_json(beat: study.Beat, **extra):
    return jsonify(minutes=round(beat.minutes, 2), credit=beat.credit_minutes, seconds=beat.seconds,
                   completed=beat.completed, **extra)


@bp.post("/lessons/<int:lesson_id>/sessions")
@roles(read=LEARNERS, write=LEARNERS)
def session_start(lesson_id: int):
    session = study.start_session(current_user, lesson_id, now=utcnow(), ip=request.remote_addr or "")
    record = study.record_for(current_user.id, session.lesson_id)
    credit = study.get_lesson(session.lesson_id).credit_minutes
    minutes = record.minutes if record else 0.0
    return jsonify(token=session.token, minutes=round(minutes, 2), credit=credit,
                   completed=bool(record and record.completed_at),
                   beat_url=url_for("study.beat", token=session.token),
                   close_url=url_for("study.session_close", token=session.token))


@bp.post("/sessions/<token>/beat")
@roles(read=LEARNERS, write=LEARNERS)
def beat(token: str):
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    result = study.beat(current_user, token, now=utcnow(), visible=body.get("visible") is True,
                        active=body.get("active") is True)
    return _beat_json(result)


@bp.post("/sessions/<token>/close")
@roles(read=LEARNERS, write=LEARNERS)
def session_close(token: str):
    study.close_session(current_user, token, now=utcnow())
    return jsonify(closed=True)
