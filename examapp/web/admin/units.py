from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...clock import utcnow
from ...errors import DomainError, ValidationError
from ...security import roles
from ...services import home, org
from ...services.scope import Scope
from . import bp
from .forms import UNIT_KIND_CHOICES, ConfirmForm, MoveUnitForm, UnitForm

READ = ("admin", "unit_admin", "auditor")
WRITE = ("admin", "unit_admin")


def unit_choices(exclude_path: str | None = None, *, blank: str | None = None):
    units = org.tree(current_user, include_inactive=False)
    choices = [(0, blank)] if blank is not None else []
    for u in units:
        if exclude_path and u.path.startswith(exclude_path):
            continue
        choices.append((u.id, "　" * (u.depth - (units[0].depth if units else 0)) + u.name))
    return choices


@bp.get("/units")
@roles(read=READ)
def units():
    return render_template("admin/units.html", rows=home.unit_rows(current_user), kind_labels=dict(UNIT_KIND_CHOICES),
                           can_write=current_user.has_role(*WRITE), confirm=ConfirmForm())


@bp.route("/units/new", methods=["GET", "POST"])
@roles(read=WRITE, write=WRITE)
def unit_new():
    form = UnitForm()
    blank = _("（顶级单位）") if Scope.of(current_user).everything else None
    form.parent_id.choices = unit_choices(blank=blank)
    if request.method == "GET" and request.args.get("parent", "").isdigit():
        form.parent_id.data = int(request.args["parent"])
    if form.validate_on_submit():
        try:
            unit = org.create_unit(current_user, code=form.code.data, name=form.name.data, kind=form.kind.data,
                                   parent_id=form.parent_id.data or None, sort_order=form.sort_order.data or 0,
                                   now=utcnow())
        except ValidationError as e:
            getattr(form, e.field, form.code).errors.append(e.message)
        except DomainError as e:
            flash(e.message, "danger")
        else:
            flash(_("已创建单位 %(name)s", name=unit.name), "success")
            return redirect(url_for("admin.units"))
    return render_template("admin/unit_form.html", form=form, unit=None), 400 if form.errors else 200


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
@roles(read=WRITE, write=WRITE)
def unit_edit(unit_id: int):
    unit = Scope.of(current_user).get_unit(unit_id)
    form = UnitForm(obj=unit)
    del form.parent_id
    move = MoveUnitForm(prefix="move")
    move.parent_id.choices = unit_choices(exclude_path=unit.path)
    if request.method == "GET":
        move.parent_id.data = unit.parent_id
    form.code.render_kw = {"readonly": True}
    if form.submit.data and form.validate_on_submit():
        try:
            org.update_unit(current_user, unit.id, name=form.name.data, kind=form.kind.data,
                            sort_order=form.sort_order.data or 0, now=utcnow())
        except ValidationError as e:
            getattr(form, e.field, form.name).errors.append(e.message)
        except DomainError as e:
            flash(e.message, "danger")
        else:
            flash(_("已保存"), "success")
            return redirect(url_for("admin.units"))
    return render_template("admin/unit_form.html", form=form, unit=unit, move=move,
                           confirm=ConfirmForm()), 400 if form.errors else 200


@bp.post("/units/<int:unit_id>/move")
@roles(read=WRITE, write=WRITE)
def unit_move(unit_id: int):
    unit = Scope.of(current_user).get_unit(unit_id)
    move = MoveUnitForm(prefix="move")
    move.parent_id.choices = unit_choices(exclude_path=unit.path)
    if move.validate_on_submit():
        try:
            org.move_unit(current_user, unit.id, new_parent_id=move.parent_id.data, now=utcnow())
        except DomainError as e:
            flash(e.message, "danger")
            return redirect(url_for("admin.unit_edit", unit_id=unit.id))
        flash(_("已移动单位 %(name)s", name=unit.name), "success")
        return redirect(url_for("admin.units"))
    flash(_("请选择新的上级单位"), "danger")
    return redirect(url_for("admin.unit_edit", unit_id=unit.id))


@bp.post("/units/<int:unit_id>/active/<int:flag>")
@roles(read=WRITE, write=WRITE)
def unit_set_active(unit_id: int, flag: int):
    if not ConfirmForm().validate_on_submit():
        flash(_("请求无效，请重试"), "danger")
        return redirect(url_for("admin.units"))
    try:
        unit = org.set_unit_active(current_user, unit_id, active=bool(flag), now=utcnow())
    except DomainError as e:
        flash(e.message, "danger")
    else:
        flash(_("已启用 %(name)s", name=unit.name) if unit.active else _("已停用 %(name)s", name=unit.name),
              "success")
    return redirect(url_for("admin.units"))
