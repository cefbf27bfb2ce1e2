from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import (  # noqa: E402,F401
    approvals,
    bank_files,
    certificate_print,
    exam_monitor,
    exams,
    grading,
    imports,
    laws,
    questions,
    settings,
    units,
    users,
)
