"""The rates report, its drill-down to people, the remediation list, exemptions and frozen years."""
from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

from . import exemptions, rates, snapshots  # noqa: E402,F401
