from flask import Blueprint

bp = Blueprint("exams", __name__, url_prefix="/exams")

from . import views  # noqa: E402,F401
