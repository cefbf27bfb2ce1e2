from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import approvals, bank_files, exam_monitor, exams, grading, imports, laws, questions, units, users  # noqa: E402,F401
