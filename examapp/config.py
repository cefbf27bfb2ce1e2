"""Configuration classes; the environment overrides them (DESIGN §4)."""
import json
import os
import secrets
from datetime import timedelta
from pathlib import Path


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def instance_path() -> str:
    default = Path(__file__).resolve().parent.parent / "instance"
    return str(Path(os.environ.get("EXAMAPP_INSTANCE_PATH", default)).resolve())


def load_secret_key(instance_dir: str) -> str:
    """SECRET_KEY from the environment, else a key generated once into the instance folder."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = Path(instance_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


class Config:
    # JSON as readable UTF-8, so that tags and texts inside JSON columns can be searched with LIKE
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True,
                                 "json_serializer": lambda obj: json.dumps(obj, ensure_ascii=False)}
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session (a long exam must still submit)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = timedelta(days=7)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    BOOTSTRAP_SERVE_LOCAL = True
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("EXAMAPP_TIMEZONE", "Asia/Shanghai")
    LANGUAGES = {"zh": "中文", "en": "English"}
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    PASSWORD_MIN_LENGTH = 8
    PASSWORD_HASH_METHOD = "scrypt"
    LOGIN_FAILURES_PER_HOUR = 100
    # Password checks running at once per process, and how long a login waits for a turn before a 503 asks it
    # to retry: logins before an exam must leave cores and threads to the takers (QUALITY B2).
    PASSWORD_CHECKS_AT_ONCE = int(os.environ.get("EXAMAPP_PASSWORD_CHECKS_AT_ONCE", "1"))
    PASSWORD_CHECK_WAIT_SECONDS = float(os.environ.get("EXAMAPP_PASSWORD_CHECK_WAIT_SECONDS", "0.25"))
    RECENT_PASSWORD_SECONDS = 300  # role changes, approval decisions, revocations re-ask after this (S12)
    DEMO_PASSWORD = os.environ.get("EXAMAPP_DEMO_PASSWORD", "Demo@2026")
    # The law texts are data beside the repository, never copied into it.
    LAWS_DIR = os.environ.get("EXAMAPP_LAWS_DIR", str(Path(__file__).resolve().parent.parent.parent / "shared" / "laws"))
    BANK_DIR = os.environ.get("EXAMAPP_BANK_DIR", str(Path(__file__).resolve().parent.parent / "question_bank"))
    PAGE_SIZE = 20
    # how often the scheduler renews (or, waiting, tries to take) its lease; the lease lasts three times as long
    SCHEDULER_RENEW_SECONDS = float(os.environ.get("EXAMAPP_SCHEDULER_RENEW_SECONDS", "20"))
    PROXY_HOPS = 0          # EXAMAPP_PROXY_HOPS: trusted proxies in front (1 behind nginx)
    # Exam reminders, in hours (comma-separated lists): before an exam opens, before it closes (to those
    # who have not sat it), and before a make-up window opens (to those who may take it).
    OPEN_REMINDER_HOURS = os.environ.get("EXAMAPP_OPEN_REMINDER_HOURS", "24")
    CLOSE_REMINDER_HOURS = os.environ.get("EXAMAPP_CLOSE_REMINDER_HOURS", "24,2")
    MAKEUP_NOTICE_HOURS = os.environ.get("EXAMAPP_MAKEUP_NOTICE_HOURS", "24")
    # Notifications are also e-mailed when a server is set; without EXAMAPP_SMTP_HOST nothing is sent.
    SMTP_HOST = os.environ.get("EXAMAPP_SMTP_HOST", "")
    SMTP_PORT = os.environ.get("EXAMAPP_SMTP_PORT", "25")
    SMTP_USER = os.environ.get("EXAMAPP_SMTP_USER", "")
    SMTP_PASSWORD = os.environ.get("EXAMAPP_SMTP_PASSWORD", "")
    SMTP_FROM = os.environ.get("EXAMAPP_SMTP_FROM", "")
    SMTP_STARTTLS = _env_bool("EXAMAPP_SMTP_STARTTLS", False)
    SMTP_TIMEOUT = 20
    # Where the site is reached from outside (e.g. https://exam.example.gov.cn): links in e-mails
    BASE_URL = os.environ.get("EXAMAPP_BASE_URL", "")
    # Study: lesson uploads (bytes) and the study page's heartbeat interval (seconds)
    STUDY_VIDEO_MAX_BYTES = int(os.environ.get("EXAMAPP_STUDY_VIDEO_MAX_MB", "200")) * 1024 * 1024
    STUDY_FILE_MAX_BYTES = int(os.environ.get("EXAMAPP_STUDY_FILE_MAX_MB", "20")) * 1024 * 1024
    STUDY_BEAT_SECONDS = int(os.environ.get("EXAMAPP_STUDY_BEAT_SECONDS", "30"))
    HSTS = False
    TESTING = False


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HSTS = True


class TestingConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = False
    # A cheap hash keeps the suite fast; production keeps scrypt (S10).
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


CONFIGS = {"development": Config, "production": ProductionConfig, "testing": TestingConfig}


def build_config(overrides: dict | None = None) -> dict:
    name = os.environ.get("EXAMAPP_CONFIG", "development")
    base = CONFIGS.get(name, Config)
    values = {k: getattr(base, k) for k in dir(base) if k.isupper()}
    inst = instance_path()
    values["INSTANCE_PATH"] = inst
    values["SQLALCHEMY_DATABASE_URI"] = os.environ.get("DATABASE_URL") or f"sqlite:///{inst}/examapp.db"
    if overrides:
        values.update(overrides)
    if not values.get("SECRET_KEY"):
        values["SECRET_KEY"] = load_secret_key(values["INSTANCE_PATH"])
    values["SQLALCHEMY_DATABASE_URI"] = normalize_db_url(values["SQLALCHEMY_DATABASE_URI"])
    values["SESSION_COOKIE_SECURE"] = _env_bool("EXAMAPP_SECURE_COOKIES", values["SESSION_COOKIE_SECURE"])
    values["REMEMBER_COOKIE_SECURE"] = values["SESSION_COOKIE_SECURE"]
    # proxies in front of the app (nginx: 1) whose X-Forwarded-* headers are trusted: without it every request
    # seems to come from the proxy, and the login throttle and the exams' network ranges see one address
    hops = os.environ.get("EXAMAPP_PROXY_HOPS")
    values["PROXY_HOPS"] = int(hops) if hops and hops.isdigit() else int(values.get("PROXY_HOPS", 0))
    return values


def normalize_db_url(url: str) -> str:
    """postgres:// and postgresql:// both mean psycopg 3 here."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
