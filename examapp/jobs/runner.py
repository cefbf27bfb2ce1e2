"""The one scheduler process: `flask --app wsgi scheduler run` (and in `make run` for the demo).

The database is the job store; the lease keeps a second process idle until the first stops renewing.
"""
import logging
import os
import socket
import threading
from datetime import UTC, datetime, timedelta

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from ..clock import utcnow
from . import lease, tasks

log = logging.getLogger(__name__)

JOBS = [  # id, function, seconds between runs
    ("auto_submit_overdue", "examapp.jobs.tasks:auto_submit_overdue", 60),
    ("exam_notebooks", "examapp.jobs.tasks:exam_notebooks", 900),
    ("exam_reminders", "examapp.jobs.tasks:exam_reminders", 300),
    ("notification_emails", "examapp.jobs.tasks:notification_emails", 300),
    ("study_reminders", "examapp.jobs.tasks:study_reminders", 3600),
    ("certificate_expiry", "examapp.jobs.tasks:certificate_expiry", 3600),
    ("certificate_reminders", "examapp.jobs.tasks:certificate_reminders", 3600),
    ("audit_checkpoint", "examapp.jobs.tasks:audit_checkpoint", 86400),
]


def build_scheduler(app) -> BackgroundScheduler:
    tasks.APP = app
    store = SQLAlchemyJobStore(url=app.config["SQLALCHEMY_DATABASE_URI"])
    scheduler = BackgroundScheduler(
        jobstores={"default": store},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        timezone="UTC")
    due = stored_run_times(store)
    for job_id, func, seconds in JOBS:
        # re-adding a job would reschedule it a whole interval from now; a run missed while no scheduler was up
        # must still happen, once (coalesce), as soon as this one starts (F13)
        kept = {"next_run_time": due[job_id]} if due.get(job_id) else {}
        scheduler.add_job(func, "interval", seconds=seconds, id=job_id, replace_existing=True, **kept)
    return scheduler


def stored_run_times(store: SQLAlchemyJobStore) -> dict[str, datetime]:
    """When each stored job is next due, as the last scheduler left it ({} before the first start)."""
    try:
        with store.engine.connect() as connection:
            rows = connection.execute(select(store.jobs_t.c.id, store.jobs_t.c.next_run_time)).all()
    except SQLAlchemyError:
        return {}       # the job table is created by the first start
    return {job_id: datetime.fromtimestamp(ts, UTC) for job_id, ts in rows if ts is not None}


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run(app, *, stop: threading.Event | None = None, renew_every: float = 20.0, holder: str | None = None) -> None:
    """Hold the lease and run the jobs while holding it; otherwise wait. Returns when `stop` is set."""
    stop = stop or threading.Event()
    me = holder or holder_name()
    scheduler = None
    try:
        while not stop.is_set():
            with app.app_context():
                mine = lease.acquire(me, now=utcnow(), ttl=timedelta(seconds=renew_every * 3))
            if mine and scheduler is None:
                log.info("scheduler %s holds the lease; jobs start", me)
                scheduler = build_scheduler(app)
                scheduler.start()
            elif not mine and scheduler is not None:
                log.warning("scheduler %s lost the lease; jobs stop", me)
                scheduler.shutdown(wait=False)
                scheduler = None
            elif not mine:
                log.info("another scheduler holds the lease; %s waits", me)
            stop.wait(renew_every)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=True)
        with app.app_context():
            lease.release(me)
