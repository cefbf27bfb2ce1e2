"""Answer sheets and evidence packs: admins see everything, unit admins and auditors their subtrees.

Checking an uploaded pack is a POST that changes nothing, so it is declared with `reads_with_body`:
auditors may send it, while `roles()` keeps refusing them every real write."""
import tempfile
from pathlib import PurePath

from flask import Response, render_template, request, send_file
from flask_login import current_user

from ...clock import utcnow
from ...errors import DomainError
from ...security import reads_with_body, roles
from ...services import answer_sheets, evidence
from ...services.practice import local_day
from . import bp

READERS = ("admin", "unit_admin", "auditor")
SPOOL_BYTES = 32 * 1024 * 1024      # a pack larger than this is spooled to a temporary file, not kept in memory


@bp.get("/attempts/<int:attempt_id>")
@roles(read=READERS)
def answer_sheet(attempt_id: int):
    sheet = answer_sheets.sheet_for(current_user, attempt_id, now=utcnow())
    if request.args.get("format") == "pdf":
        return Response(answer_sheets.render_pdf(sheet), mimetype="application/pdf",
                        headers={"Content-Disposition": f"inline; filename=answer-sheet-{sheet.attempt_id}.pdf"})
    return render_template("evidence/answer_sheet.html", sheet=sheet)


@bp.app_template_global("answer_sheet_links")
def answer_sheet_links(exam_id: int) -> dict:
    """For the exam results page: user id → [(attempt id, number, make-up)] the viewer may open."""
    return answer_sheets.attempts_by_person(current_user, exam_id)


def _scope_args():
    return request.args.get("year", ""), request.args.get("unit", ""), request.args.get("exam", "")


@bp.get("/evidence")
@roles(read=READERS)
def index():
    year, unit, exam = _scope_args()
    chosen, error, status = None, None, 200
    if year:
        try:
            chosen = evidence.preview(current_user, evidence.parse_scope(year, unit, exam), now=utcnow())
        except DomainError as e:
            error, status = e, e.status
    shown_year = chosen.scope.year if chosen else (int(year) if year.isdigit() else local_day(utcnow()).year)
    return render_template("evidence/index.html", preview=chosen, error=error, year=shown_year, unit=unit,
                           exam=exam, units=evidence.unit_choices(current_user),
                           exams=evidence.exam_choices(shown_year)), status


@bp.get("/evidence/pack")
@roles(read=READERS)
def download():
    """Build the pack into a spooled temporary file and stream it; the export is an audit event."""
    year, unit, exam = _scope_args()
    scope = evidence.parse_scope(year, unit, exam)
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    try:
        result = evidence.build_pack(current_user, scope, now=utcnow(), out=spool)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return send_file(spool, mimetype="application/zip", as_attachment=True, download_name=result.scope.filename)


@bp.route("/evidence/verify", methods=["GET", "POST"])
@reads_with_body(read=READERS)
def verify():
    result, error, status = None, None, 200
    if request.method == "POST":
        upload = request.files.get("pack")
        if upload is None or not upload.filename:
            error, status = "请选择要核验的证据包（.zip 文件）", 400
        else:
            try:
                result = evidence.verify_pack(upload.read(), now=utcnow(), actor=current_user,
                                              filename=PurePath(upload.filename).name[:120])
            except DomainError as e:
                error, status = str(e), e.status
    return render_template("evidence/verify.html", result=result, error=error), status
