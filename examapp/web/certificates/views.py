
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from ...clock import utcnow
from ...domain import certificates as rules
from ...errors import DomainError, ValidationError
from ...extensions import db
from ...formats.certificate_rows import CERT_COLUMNS
from ...formats.tabular import template_xlsx
from ...models import User
from ...security import roles
from ...services import certificate_import, settings
from ...services import certificates as service
from ...services.practice import local_day
from ...services.scope import Scope
from ..admin import uploads
from ..admin.units import unit_choices
from ..auth.reauth import ask_for_password, password_is_recent
from . import (
    ADMIN,
    APPLICATION_TEXT,
    APPLY,
    EVENT_TEXT,
    READ,
    STATUS_BADGE,
    STATUS_TEXT,
    TYPE_TEXT,
    bp,
)


def _today():
    return local_day(utcnow())


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def _shown_status(cert, today=None, lead=None) -> str:
    today = today or _today()
    lead = settings.get("cert.renewal_lead_months") if lead is None else lead
    return rules.effective_status(cert.status, cert.expires_on, today, lead)


@bp.app_context_processor
def _labels():
    return {"cert_status_text": STATUS_TEXT, "cert_status_badge": STATUS_BADGE, "cert_type_text": TYPE_TEXT}


@bp.app_template_global()
def lacks_enforcement_certificate(user) -> bool:
    """不得从事执法: enforcement staff without a valid enforcement certificate (user pages mark it)."""
    return service.lacks_certificate(user, _today())


# -- list ---------------------------------------------------------------------------------------------

@bp.get("")
@roles(read=READ)
def index():
    status = request.args.get("status", "")
    f = service.CertFilter(type=request.args.get("type", ""), status=status,
                           unit_id=_int_arg("unit") or None, expiring_days=_int_arg("days"),
                           q=request.args.get("q", "")[:64])
    today, lead = _today(), settings.get("cert.renewal_lead_months")   # read once, not per row
    page = db.paginate(service.listing(current_user, f, today), page=_int_arg("page") or 1,
                       per_page=current_app.config["PAGE_SIZE"], error_out=False)
    statuses = [(k, v) for k, v in STATUS_TEXT.items()] + [("proposed_cancel", _("建议注销"))]
    return render_template("certificates/list.html", page=page, f=f, units=unit_choices(blank=_("全部单位")),
                           statuses=statuses, today=today, shown=lambda c: _shown_status(c, today, lead),
                           can_admin=current_user.has_role(*ADMIN), can_apply=current_user.has_role(*APPLY))


# -- one certificate ----------------------------------------------------------------------------------

class ActionForm(FlaskForm):
    kind = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(validators=[Optional(), Length(max=1000)])
    sanctioned = BooleanField()


def _view(cert, form=None, status=200):
    today = _today()
    actions = [t for t in rules.allowed(cert.status, has_successor=cert.replaced_by_id is not None)]
    pending = service.pending_revocation(cert.id)
    related = {}
    for key in ("renews", "reissues"):
        if cert.evidence.get(key):
            related[key] = cert.evidence[key]
    successor = db.session.get(type(cert), cert.replaced_by_id) if cert.replaced_by_id else None
    return render_template("certificates/view.html", cert=cert, status=_shown_status(cert, today),
                           events=service.events(cert.id), event_text=EVENT_TEXT, actions=actions,
                           action_text=EVENT_TEXT, pending=pending, successor=successor, related=related,
                           form=form or ActionForm(), can_admin=current_user.has_role(*ADMIN)), status


@bp.get("/<int:certificate_id>")
@roles(read=READ)
def view(certificate_id: int):
    return _view(service.get(current_user, certificate_id))


@bp.post("/<int:certificate_id>/action")
@roles(read=ADMIN, write=ADMIN)
def act(certificate_id: int):
    cert = service.get(current_user, certificate_id)
    form = ActionForm()
    if not form.validate_on_submit():
        flash(_("请求有误"), "danger")
        return _view(cert, form, 400)
    kind = form.kind.data
    if kind == "revoke" and not password_is_recent():
        return ask_for_password(url_for("certificates.view", certificate_id=cert.id))
    try:
        if kind == "revoke":
            approval = service.request_revoke(current_user, cert.id, form.reason.data or "", now=utcnow())
            flash(_("吊销申请已提交，须由另一位管理员审批后生效"), "success")
            return redirect(url_for("admin.approval_view", approval_id=approval.id))
        outcome = service.transition(current_user, cert.id, kind, form.reason.data or "", now=utcnow(),
                                     **({"sanctioned": bool(form.sanctioned.data)} if kind == "review" else {}))
    except ValidationError as e:
        db.session.rollback()
        form.reason.errors = [e.message] if e.field == "reason" else []
        if e.field != "reason":
            flash(e.message, "danger")
        return _view(service.get(current_user, certificate_id), form, 400)
    except DomainError as e:
        db.session.rollback()
        flash(e.message, "danger")
        return _view(service.get(current_user, certificate_id), form, 409 if e.status == 409 else 422)
    flash(_("已办理：%(a)s", a=EVENT_TEXT.get(kind, kind)), "success")
    target = outcome.new or outcome.certificate
    return redirect(url_for("certificates.view", certificate_id=target.id))


# -- applications ---------------------------------------------------------------------------------------

@bp.get("/applications")
@roles(read=READ)
def applications():
    status = request.args.get("status", "pending")
    status = status if status in APPLICATION_TEXT else ""
    page = db.paginate(service.applications(current_user, status), page=_int_arg("page") or 1,
                       per_page=current_app.config["PAGE_SIZE"], error_out=False)
    ids = {a.user_id for a in page.items}
    people = {u.id: u for u in db.session.query(User).filter(User.id.in_(ids))} if ids else {}
    return render_template("certificates/applications.html", page=page, status=status, people=people,
                           status_text=APPLICATION_TEXT, can_apply=current_user.has_role(*APPLY))


class ApplyForm(FlaskForm):
    username = StringField(validators=[DataRequired(message="请填写工号"), Length(max=64)])
    type = SelectField(choices=[("ENFORCEMENT", "行政执法证"), ("SUPERVISION", "行政执法监督证")],
                       validators=[DataRequired()])
    area = StringField(validators=[Optional(), Length(max=200)])
    check = SubmitField()
    submit = SubmitField()


@bp.route("/applications/new", methods=["GET", "POST"])
@roles(read=APPLY, write=APPLY)
def apply():
    posting = request.method == "POST"
    form = ApplyForm() if posting else ApplyForm(formdata=request.args or None, meta={"csrf": False})
    result, person, status = None, None, 200
    if posting or request.args.get("username"):
        if not (form.validate_on_submit() if posting else form.validate()):
            return render_template("certificates/apply.html", form=form, result=None, person=None,
                                   type_text=TYPE_TEXT), 400
        person = db.session.execute(Scope.of(current_user).users().where(
            User.username == form.username.data.strip())).scalar_one_or_none()
        if person is None:   # unknown and out of scope look the same
            form.username.errors.append(_("工号不存在或不在您的管理范围内"))
            return render_template("certificates/apply.html", form=form, result=None, person=None,
                                   type_text=TYPE_TEXT), 404
        now = utcnow()
        unmet, evidence = service.check_person(current_user, person.id, form.type.data, now)
        result = {"unmet": unmet, "evidence": evidence}
        if posting and form.submit.data:
            try:
                application = service.apply(current_user, person.username, form.type.data, form.area.data or "",
                                            now=now)
            except service.Ineligible as e:
                db.session.rollback()
                result, status = {"unmet": e.unmet, "evidence": e.evidence}, 422
                flash(e.message, "danger")
            except ValidationError as e:
                db.session.rollback()
                getattr(form, e.field, form.username).errors.append(e.message)
                status = 400
            except DomainError as e:
                db.session.rollback()
                flash(e.message, "danger")
                status = e.status
            else:
                flash(_("申领已提交，等待管理员审批"), "success")
                return redirect(url_for("certificates.application", application_id=application.id))
    return render_template("certificates/apply.html", form=form, result=result, person=person,
                           type_text=TYPE_TEXT), status


class DecideForm(FlaskForm):
    note = TextAreaField(validators=[Optional(), Length(max=1000)])
    approve = SubmitField()
    refuse = SubmitField()


def _application_page(application, form, status=200, result=None):
    person = db.session.get(User, application.user_id)
    names = dict(db.session.query(User.id, User.name).filter(
        User.id.in_([application.applied_by, application.decided_by or 0])).all())
    if result is None and application.status == "pending":
        unmet, evidence = service.check_person(current_user, person.id, application.type, utcnow())
        result = {"unmet": unmet, "evidence": evidence}
    return render_template("certificates/application.html", application=application, person=person, names=names,
                           form=form, result=result, status_text=APPLICATION_TEXT,
                           can_decide=current_user.has_role(*ADMIN) and application.status == "pending"), status


@bp.route("/applications/<int:application_id>", methods=["GET", "POST"])
@roles(read=READ, write=ADMIN)
def application(application_id: int):
    application = service.get_application(current_user, application_id)
    form = DecideForm()
    if request.method == "POST":
        if not form.validate_on_submit() or not (form.approve.data or form.refuse.data):
            flash(_("请求有误"), "danger")
            return _application_page(application, form, 400)
        try:
            service.decide(current_user, application.id, bool(form.approve.data), form.note.data or "", now=utcnow())
        except service.Ineligible as e:
            db.session.rollback()
            flash(e.message, "danger")
            return _application_page(service.get_application(current_user, application_id), form, 422,
                                     {"unmet": e.unmet, "evidence": e.evidence})
        except ValidationError as e:
            db.session.rollback()
            form.note.errors = [e.message]
            return _application_page(service.get_application(current_user, application_id), form, 400)
        except DomainError as e:
            db.session.rollback()
            flash(e.message, "danger")
            return _application_page(service.get_application(current_user, application_id), form, e.status)
        application = service.get_application(current_user, application_id)
        if application.certificate_id:
            flash(_("已批准，证件已发放"), "success")
            return redirect(url_for("certificates.view", certificate_id=application.certificate_id))
        flash(_("已不予批准"), "success")
        return redirect(url_for("certificates.application", application_id=application.id))
    return _application_page(application, form)


# -- import -------------------------------------------------------------------------------------------

class UploadForm(FlaskForm):
    file = FileField(validators=[FileRequired("请选择文件"), FileAllowed(["xlsx", "csv"], "只支持 .xlsx 和 .csv 文件")])


class ConfirmImportForm(FlaskForm):
    token = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}\.(xlsx|csv)$")])
    filename = HiddenField()


@bp.get("/import")
@roles(read=ADMIN, write=ADMIN)
def import_page():
    return render_template("certificates/import.html", form=UploadForm(), columns=CERT_COLUMNS)


@bp.get("/import/template.xlsx")
@roles(read=ADMIN)
def import_template():
    body = template_xlsx("证件导入", CERT_COLUMNS)
    return Response(body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=certificate-import-template.xlsx"})


@bp.post("/import/preview")
@roles(read=ADMIN, write=ADMIN)
def import_preview():
    form = UploadForm()
    if not form.validate_on_submit():
        uploads.flash_errors(form)
        return render_template("certificates/import.html", form=form, columns=CERT_COLUMNS), 400
    upload = form.file.data
    filename = uploads.safe_name(upload.filename, "upload")
    data = upload.read()
    plan = certificate_import.plan(current_user, filename, data)
    confirm = None
    if plan.ok:
        confirm = ConfirmImportForm(token=uploads.keep(data, filename), filename=filename)
    return render_template("certificates/import_preview.html", plan=plan, confirm=confirm, today=_today(),
                           status_of=certificate_import._status), 200 if plan.ok else 422


@bp.post("/import/apply")
@roles(read=ADMIN, write=ADMIN)
def import_apply():
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    data = uploads.load(form.token.data)
    if data is None:
        flash(_("导入文件已过期，请重新上传"), "danger")
        return redirect(url_for("certificates.import_page"))
    filename = uploads.safe_name(form.filename.data or form.token.data)
    plan = certificate_import.apply(current_user, filename, data, now=utcnow())
    if plan.ok:
        uploads.drop(form.token.data)
        flash(_("导入完成：新增证件 %(n)d 本", n=plan.imported), "success")
        return redirect(url_for("certificates.index"))
    for message in plan.messages()[:50]:
        flash(message, "danger")
    return redirect(url_for("certificates.import_page"))


# -- compliance -----------------------------------------------------------------------------------------

@bp.get("/compliance")
@roles(read=READ)
def compliance():
    today = _today()
    days = _int_arg("days") or 90
    days = min(days, 3660)
    unit_id = _int_arg("unit")
    root, rates, total = service.certificate_rates(current_user, today, unit_id)
    staff = db.paginate(service.uncertified(current_user, today), page=_int_arg("page") or 1,
                        per_page=current_app.config["PAGE_SIZE"], error_out=False)
    limit = 50
    expiring = list(db.session.scalars(service.expiring_soon(current_user, today, days).limit(limit + 1)))
    proposed = list(db.session.scalars(service.proposed_cancellations(current_user).limit(limit + 1)))
    chart = [{"label": r.label, "value": r.percent} for r in rates if r.staff]
    return render_template("certificates/compliance.html", today=today, days=days, root=root, rates=rates,
                           total=total, staff=staff, expiring=expiring[:limit], more_expiring=len(expiring) > limit,
                           proposed=proposed[:limit], more_proposed=len(proposed) > limit, chart=chart)
