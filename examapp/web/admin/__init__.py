from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import bank_files, exams, imports, laws, questions, units, users  # noqa: E402,F401
