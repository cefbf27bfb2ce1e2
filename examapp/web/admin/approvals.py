"""Four-eyes requests: the list, one request with what it will do, and approve / reject / withdraw."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from ...clock import utcnow
from ...domain.answer_keys import key_text
from ...errors import DomainError
from ...extensions import db
from ...security import roles
from ...services import approvals
from ..auth.reauth import require_recent_password
from . import bp

APPROVAL_READ = ("admin", "unit_admin", "auditor")     # a unit admin follows their own 免考 requests
APPROVAL_WRITE = ("admin", "unit_admin")               # the service decides who may approve or withdraw
STATUSES = ("pending", "approved", "rejected", "withdrawn")
# the page's names for the registered kinds (the registry's own labels are not translated)
KIND_LABELS = {"regrade": _l("更正答案并重新评分"), "score_override": _l("更正成绩"),
               "certificate_revoke": _l("吊销证件"), "exemption": _l("免考")}


class DecisionForm(FlaskForm):
    note = TextAreaField(_l("审批意见（驳回时必填）"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 2})
    approve = SubmitField(_l("批准"))
    reject = SubmitField(_l("驳回"))
    withdraw = SubmitField(_l("撤回申请"))


@bp.get("/approvals")
@roles(read=APPROVAL_READ)
def approvals_list():
    status = request.args.get("status", "pending")
    if status not in STATUSES and status != "all":
        status = "pending"
    page = approvals.listing(current_user, status=None if status == "all" else status,
                             page=request.args.get("page", 1, type=int))
    return render_template("admin/approvals.html", page=page, status=status, statuses=STATUSES,
                           names=approvals.names(page.items), kind_labels=KIND_LABELS)


@bp.route("/approvals/<int:approval_id>", methods=["GET", "POST"])
@roles(read=APPROVAL_READ, write=APPROVAL_WRITE)
@require_recent_password
def approval_view(approval_id: int):
    try:
        approval = approvals.get(current_user, approval_id)
    except DomainError:
        abort(404)
    form = DecisionForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                if form.withdraw.data:
                    approvals.withdraw(current_user, approval.id, now=utcnow())
                    flash(_("申请已撤回"), "success")
                else:
                    approvals.decide(current_user, approval.id, approve=bool(form.approve.data),
                                     note=form.note.data or "", now=utcnow())
                    flash(_("已批准，变更已生效") if form.approve.data else _("已驳回"), "success")
                return redirect(url_for("admin.approval_view", approval_id=approval.id))
            except DomainError as e:
                db.session.rollback()
                if getattr(e, "field", "") == "note":
                    form.note.errors = [e.message]
                else:
                    flash(e.message, "danger")
                status = 400
        else:
            status = 400
        approval = approvals.get(current_user, approval_id)
    kind = approvals.kind_of(approval)
    endpoint, values = kind.link(approval)
    return render_template("admin/approval.html", approval=approval, kind_label=KIND_LABELS.get(kind.name, kind.label), link=url_for(endpoint, **values),
                           names=approvals.names([approval]), details=kind.details(approval), form=form, key_text=key_text,
                           may_decide=approvals.may_decide(current_user, approval),
                           may_withdraw=approvals.may_withdraw(current_user, approval)), status
