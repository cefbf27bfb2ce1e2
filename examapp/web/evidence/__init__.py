"""Evidence for auditors: answer sheets, evidence packs (download and verification)."""
from flask import Blueprint

bp = Blueprint("evidence", __name__, url_prefix="/reports")

from . import views  # noqa: E402,F401
