from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...clock import utcnow
from ...domain.roles import ROLES
from ...errors import DomainError, ValidationError
from ...extensions import db
from ...security import roles
from ...services import users as user_service
from ...services.scope import Scope
from ...services.users import FLAGS, PeopleFilter, PersonInput
from ..auth.reauth import ask_for_password, password_is_recent
from . import bp
from .forms import ConfirmForm, PersonForm
from .units import READ, WRITE, unit_choices


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


@bp.get("/users")
@roles(read=READ)
def users():
    f = PeopleFilter(q=request.args.get("q", "")[:64], unit_id=_int_arg("unit"),
                     subtree=request.args.get("subtree", "1") == "1",
                     role=request.args.get("role", ""), flag=request.args.get("flag", ""),
                     active=request.args.get("active", "1"))
    page = db.paginate(user_service.people_query(current_user, f), page=_int_arg("page") or 1,
                       per_page=current_app.config["PAGE_SIZE"], error_out=False)
    from ...clock import utcnow
    from ...services.certificates import uncertified_among
    from ...services.practice import local_day
    return render_template("admin/users.html", page=page, f=f, units=unit_choices(blank=_("全部单位")),
                           roles=ROLES, flags=FLAGS, can_write=current_user.has_role(*WRITE),
                           uncertified=uncertified_among([u.id for u in page.items], local_day(utcnow())))


def _person_form(user=None) -> PersonForm:
    form = PersonForm(obj=user)
    choices = unit_choices()
    form.unit_id.choices = choices
    form.scope_unit_admin.choices = [(0, _("（所在单位）"))] + choices
    form.scope_auditor.choices = [(0, _("（所在单位）"))] + choices
    if user is not None and request.method == "GET":
        scopes = {r.role: r.scope_unit_id for r in user.roles}
        for role in ROLES:
            getattr(form, f"role_{role}").data = role in scopes
        form.scope_unit_admin.data = scopes.get("unit_admin") or 0
        form.scope_auditor.data = scopes.get("auditor") or 0
    return form


def _changes_roles(user, form: PersonForm) -> bool:
    """Whether saving the form grants or revokes a role (S12); a scoped role without a unit means the
    person's own unit, as the service resolves it."""
    current = {r.role: r.scope_unit_id for r in user.roles} if user is not None else {"employee": None}
    wanted = {role: (unit or form.unit_id.data) if role in ("unit_admin", "auditor") else None
              for role, unit in form.roles_value().items()}
    return current != wanted


def _person_input(form: PersonForm) -> PersonInput:
    return PersonInput(username=form.username.data.strip(), name=form.name.data.strip(),
                       unit_id=form.unit_id.data, position=(form.position.data or "").strip(),
                       email=(form.email.data or "").strip(), roles=form.roles_value(), **{f: bool(getattr(form, f).data) for f in FLAGS})


@bp.route("/users/new", methods=["GET", "POST"])
@roles(read=WRITE, write=WRITE)
def user_new():
    form = _person_form()
    if form.validate_on_submit():
        if _changes_roles(None, form) and not password_is_recent():
            return ask_for_password(url_for("admin.user_new"))
        password = form.password.data or user_service.generate_initial_password()
        try:
            user = user_service.create_user(current_user, _person_input(form), password=password, now=utcnow())
        except ValidationError as e:
            getattr(form, e.field, form.username).errors.append(e.message)
        except DomainError as e:
            flash(e.message, "danger")
        else:
            # Shown once on this page, never put in the (signed, not encrypted) session cookie.
            return render_template("admin/password_shown.html", user=user, password=password, created=True)
    return render_template("admin/user_form.html", form=form, user=None), 400 if form.errors else 200


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles(read=READ, write=WRITE)
def user_edit(user_id: int):
    user = Scope.of(current_user).get_user(user_id)
    form = _person_form(user)
    del form.password
    if request.method == "GET" and not current_user.has_role(*WRITE):
        return render_template("admin/user_view.html", user=user)
    if form.validate_on_submit():
        if _changes_roles(user, form) and not password_is_recent():
            return ask_for_password(url_for("admin.user_edit", user_id=user.id))
        try:
            user_service.update_user(current_user, user.id, _person_input(form), now=utcnow())
        except ValidationError as e:
            getattr(form, e.field, form.name).errors.append(e.message)
        except DomainError as e:
            flash(e.message, "danger")
        else:
            flash(_("已保存"), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_template("admin/user_form.html", form=form, user=user,
                           confirm=ConfirmForm()), 400 if form.errors else 200


@bp.post("/users/<int:user_id>/active/<int:flag>")
@roles(read=WRITE, write=WRITE)
def user_set_active(user_id: int, flag: int):
    if ConfirmForm().validate_on_submit():
        try:
            user = user_service.set_user_active(current_user, user_id, active=bool(flag), now=utcnow())
        except DomainError as e:
            flash(e.message, "danger")
        else:
            flash(_("已启用") if user.active else _("已停用"), "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))


@bp.post("/users/<int:user_id>/reset-password")
@roles(read=WRITE, write=WRITE)
def user_reset_password(user_id: int):
    if ConfirmForm().validate_on_submit():
        try:
            user, password = user_service.reset_password(current_user, user_id, now=utcnow())
        except DomainError as e:
            flash(e.message, "danger")
        else:
            return render_template("admin/password_shown.html", user=user, password=password, created=False)
    return redirect(url_for("admin.user_edit", user_id=user_id))
