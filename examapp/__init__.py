"""examapp: legal training and exams for a bureau and its units."""
from flask import Flask

from .config import build_config


def create_app(config: dict | None = None) -> Flask:
    """config → extensions → blueprints → CLI → errors. Opens no connection, creates nothing, starts nothing."""
    values = build_config(config)
    app = Flask(__name__, instance_path=values["INSTANCE_PATH"], instance_relative_config=False,
                template_folder="../templates")
    app.config.update(values)
    if app.config["PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix
        n = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    # ids in URLs fit the database's integer: a larger one is a 404, not an overflow deep in a query
    from werkzeug.routing import IntegerConverter

    class DatabaseId(IntegerConverter):
        def __init__(self, url_map, *args, **kwargs):
            kwargs.setdefault("max", 2**31 - 1)
            super().__init__(url_map, *args, **kwargs)

    app.url_map.converters["int"] = DatabaseId

    from . import dbsetup  # noqa: F401  (engine event listeners)
    from .extensions import babel, bootstrap, csrf, db, login_manager, migrate
    from .web.i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    bootstrap.init_app(app)

    from . import security  # noqa: F401  (user loader)
    from .web import register_web

    register_web(app)

    from .cli import register_cli

    register_cli(app)
    return app


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"
