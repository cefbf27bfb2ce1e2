from flask import Blueprint

bp = Blueprint("study", __name__, url_prefix="/study")

from . import admin, views  # noqa: E402,F401
