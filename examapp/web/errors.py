"""Error pages in the site's style, JSON for the API; never a trace to the client."""
from flask import Flask, current_app, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from ..errors import DomainError
from ..extensions import db
from ..security import wants_json

TITLES = {
    400: "请求有误",
    401: "需要登录",
    403: "没有权限",
    404: "页面不存在",
    405: "不支持的请求方式",
    409: "操作冲突",
    413: "文件过大",
    429: "请求过于频繁",
    500: "服务器内部错误",
    503: "服务暂不可用",
}


def error_response(status: int, message: str = ""):
    db.session.rollback()
    _log_refusal(status)
    title = _(TITLES.get(status, TITLES[500]))
    if wants_json():
        return jsonify(error=title, message=message or title), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def _log_refusal(status: int) -> None:
    """A signed-in user refused a route that exists (403), or an object that is not theirs or not there
    (404): logged with who and what, so probing for other people's records leaves a trace (S1)."""
    from flask_login import current_user
    if status in (403, 404) and request.endpoint and current_user.is_authenticated:
        current_app.logger.warning("refused %s: %s %s by user %s (%s)", status, request.method, request.full_path.rstrip("?"),
                                   current_user.id, current_user.username)


def register(app: Flask) -> None:
    @app.teardown_appcontext
    def _end_session(exc):
        # Runs before Flask-SQLAlchemy's own session.remove() (teardowns run last-registered first). When the
        # database connection died after the view's work (a PostgreSQL restart, F10), closing the session fails
        # on its ROLLBACK after the response is built, and the taker got a bare 500 instead of it. Nothing is
        # left to roll back on a dead connection: it is invalidated, and closing again clears the session.
        try:
            db.session.remove()
        except OperationalError:
            app.logger.warning("database connection lost before the end of a request")
            db.session.remove()

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return error_response(400, _("表单已过期或缺少安全令牌，请刷新页面后重试。"))

    @app.errorhandler(DomainError)
    def domain_error(e):
        response = make_response(error_response(e.status, str(e)))
        if getattr(e, "retry_after", None):
            response.headers["Retry-After"] = str(e.retry_after)
        return response

    @app.errorhandler(OperationalError)
    def db_down(e):
        app.logger.exception("database error")
        return error_response(503, _("数据库暂时无法访问，请稍后再试。"))

    @app.errorhandler(HTTPException)
    def http_error(e):
        return error_response(e.code or 500, "")

    @app.errorhandler(Exception)
    def unexpected(e):
        app.logger.exception("unhandled error")
        return error_response(500, "")
