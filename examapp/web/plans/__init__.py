"""Study plans, attendance of offline sessions, study progress, and a learner's own hours."""
from flask import Blueprint

bp = Blueprint("plans", __name__)

from . import views  # noqa: E402,F401
