"""Chinese by default, English on request; the choice lives in the session."""
from flask import Flask, current_app, session


def select_locale():
    lang = session.get("lang")
    return lang if lang in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]


def register(app: Flask) -> None:
    @app.context_processor
    def languages():
        return {"languages": app.config["LANGUAGES"], "current_lang": select_locale()}
