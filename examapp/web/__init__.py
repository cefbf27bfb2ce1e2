"""Thin blueprints: parse → call a service → render or redirect."""
from flask import Flask

from ..security import enforce_access
from . import errors, headers, i18n, templating


def register_web(app: Flask) -> None:
    from .admin import bp as admin_bp
    from .api import bp as api_bp
    from .audit import bp as audit_bp
    from .auth import bp as auth_bp
    from .exams import bp as exams_bp
    from .laws import bp as laws_bp
    from .main import bp as main_bp
    from .notifications import bp as notifications_bp
    from .plans import bp as plans_bp
    from .practice import bp as practice_bp
    from .study import bp as study_bp
    from .verify import bp as verify_bp

    for bp in (main_bp, auth_bp, admin_bp, audit_bp, laws_bp, practice_bp, api_bp, exams_bp, notifications_bp,
               verify_bp):
        app.register_blueprint(bp)
    app.register_blueprint(plans_bp)
    from .certificates import bp as certificates_bp
    app.register_blueprint(certificates_bp)
    app.register_blueprint(study_bp)
    from .evidence import bp as evidence_bp
    app.register_blueprint(evidence_bp)
    from .reports import bp as reports_bp
    app.register_blueprint(reports_bp)
    from .summary import bp as summary_bp
    app.register_blueprint(summary_bp)
    app.before_request(enforce_access)
    headers.register(app)
    errors.register(app)
    i18n.register(app)
    templating.register(app)
