from flask import Blueprint

bp = Blueprint("practice", __name__, url_prefix="/practice")

from . import views  # noqa: E402,F401
