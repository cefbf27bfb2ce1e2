from flask import current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from ...domain.safe_url import is_safe_local_path
from ...extensions import db
from ...security import login_only, public
from ...services import home as home_service
from . import bp


@bp.get("/")
@login_only
def home():
    return render_template("main/home.html", cards=home_service.cards_for(current_user))


@bp.get("/healthz")
@public
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        return jsonify(status="ok", db="ok")
    except Exception:  # any failure to reach the database is "unavailable", never a trace
        current_app.logger.exception("health check: database unreachable")
        db.session.rollback()
        return jsonify(status="error", db="unreachable"), 503


@bp.get("/lang/<code>")
@public
def set_language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    target = request.args.get("next", "")
    return redirect(target if is_safe_local_path(target) else url_for("main.home"))
