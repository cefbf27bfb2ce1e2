from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ...clock import utcnow
from ...domain.roles import ADMIN_ROLES
from ...domain.safe_url import is_safe_local_path
from ...errors import Busy, LoginThrottled, ValidationError
from ...security import login_only, public
from ...services import auth as auth_service
from . import bp
from .forms import ChangePasswordForm, ConfirmPasswordForm, LoginForm
from .reauth import mark_password_entered


def _fresh_session() -> None:
    """Drop everything but the language choice."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    form = LoginForm()
    target = request.args.get("next", "")
    if current_user.is_authenticated and request.method == "GET":
        return redirect(target if is_safe_local_path(target) else url_for("main.home"))
    status = 200
    if form.validate_on_submit():
        try:
            user = auth_service.authenticate(form.username.data, form.password.data,
                                             ip=request.remote_addr or "", now=utcnow())
        except LoginThrottled as e:
            flash(_(e.message), "danger")
            return render_template("auth/login.html", form=form), 429
        except Busy as e:
            flash(_(e.message), "warning")
            return render_template("auth/login.html", form=form), 503, {"Retry-After": str(e.retry_after)}
        if user is None:
            flash(_("工号或密码不正确"), "danger")
            status = 401
        else:
            _fresh_session()  # a fresh session for the new login (no fixation)
            remember = bool(form.remember.data) and not user.has_role(*ADMIN_ROLES)
            login_user(user, remember=remember)
            session.permanent = True
            mark_password_entered()
            if user.must_change_password:
                flash(_("首次登录或密码已被重置，请先修改密码"), "warning")
                return redirect(url_for("auth.change_password"))
            return redirect(target if is_safe_local_path(target) else url_for("main.home"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_only(allow_pending_password=True)
def logout():
    auth_service.logout(current_user, now=utcnow())
    logout_user()
    _fresh_session()
    flash(_("您已安全退出"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_only(allow_pending_password=True)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            user = auth_service.change_password(current_user, current=form.current_password.data,
                                                new=form.new_password.data, now=utcnow())
        except ValidationError as e:
            getattr(form, e.field, form.new_password).errors.append(e.message)
        else:
            login_user(user)  # the session version changed: other sessions end, this one goes on
            session.permanent = True
            mark_password_entered()
            flash(_("密码已修改"), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form), 400 if form.errors else 200


@bp.route("/account/confirm", methods=["GET", "POST"])
@login_only
def confirm_password():
    """Enter the password again before a sensitive change (S12); back to `next` afterwards."""
    form = ConfirmPasswordForm()
    target = request.args.get("next", "")
    status = 200
    if form.validate_on_submit():
        try:
            ok = auth_service.confirm_password(current_user, form.password.data, ip=request.remote_addr or "",
                                               now=utcnow())
        except LoginThrottled as e:
            flash(_(e.message), "danger")
            return render_template("auth/confirm_password.html", form=form), 429
        if ok:
            mark_password_entered()
            return redirect(target if is_safe_local_path(target) else url_for("main.home"))
        form.password.errors.append(_("密码不正确"))
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template("auth/confirm_password.html", form=form), status
