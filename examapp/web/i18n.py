"""Chinese by default, English on request; the choice lives in the session."""
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_translations


def select_locale():
    lang = session.get("lang")
    return lang if lang in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]


def _translations():
    # Flask-Babel resolves context, domain and locale on every call (~40 µs); a page such as the exam paper
    # translates hundreds of labels, so the catalog is looked up once per request.
    if not has_request_context():
        return get_translations()
    try:
        return request.examapp_translations
    except AttributeError:
        request.examapp_translations = translations = get_translations()
        return translations


def register(app: Flask) -> None:
    @app.context_processor
    def languages():
        return {"languages": app.config["LANGUAGES"], "current_lang": select_locale()}

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True)
