"""The scheduler down across an exam's close time (F13): its jobs wait in the database job store, and the
run it missed happens once when it comes back. (That each request enforces the window meanwhile is tested
through the API in tests/web/test_api_taking.py.)"""
import random
import threading
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from sqlalchemy import func, select

from examapp.clock import utcnow
from examapp.extensions import db
from examapp.jobs import runner
from examapp.models import Attempt, AuditEvent
from examapp.services import exams
from tests.conftest import make_exam


@pytest.fixture
def empty_job_store(app):
    """The job table outlives a test on PostgreSQL (it is APScheduler's, not the app's): start and end empty."""
    def clear():
        db.session.commit()               # no read snapshot of ours may be left behind the store's writes
        store = SQLAlchemyJobStore(url=app.config["SQLALCHEMY_DATABASE_URI"])
        store.start(None, "default")      # creates the table if missing
        store.remove_all_jobs()
        store.shutdown()
    clear()
    yield
    clear()


def test_a_run_missed_while_the_scheduler_was_down_happens_once_on_restart(app, world, small_law, empty_job_store):
    """F13: the scheduler stopped with auto-submit due ten minutes ago; meanwhile an attempt ran out and the
    exam closed. On restart the ten missed runs coalesce into one, which submits the attempt with its saved
    answer; the next run is a whole interval later."""
    now = utcnow()
    exam = make_exam([["test_law", "judge", None, 1, 100]], opens_at=now - timedelta(hours=2),
                     closes_at=now - timedelta(minutes=5), shuffle_options=False)
    attempt, _ = exams.start_attempt(world.employee, exam.id, now=now - timedelta(minutes=40), rng=random.Random(1))
    question_id = exams.paper_for_taker(attempt)[0]["id"]
    exams.save_answer(world.employee, attempt.id, question_id, True, 1, now=now - timedelta(minutes=39))
    assert attempt.deadline == now - timedelta(minutes=10) and attempt.status == "running"
    db.session.commit()

    # the scheduler ran (its jobs are rows in the database job store), then went down; while it was down
    # the clock passed the stored run time of auto-submit, ten minutes ago
    first = runner.build_scheduler(app)
    first.start(paused=True)
    first.shutdown(wait=True)
    store_run_time(app, "auto_submit_overdue", datetime.now(UTC) - timedelta(minutes=10))

    runs, ran = [], threading.Event()

    def listen(event):
        if event.job_id == "auto_submit_overdue":
            runs.append((event.code, getattr(event, "retval", None)))
            ran.set()

    second = runner.build_scheduler(app)
    second.add_listener(listen, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
    second.start()
    try:
        assert ran.wait(timeout=30), "the missed auto-submit did not run on restart"
        upcoming = second.get_job("auto_submit_overdue").next_run_time
    finally:
        second.shutdown(wait=True)        # every run handed to the executor has finished and been reported
    assert runs == [(EVENT_JOB_EXECUTED, 1)]                    # once, not once per missed minute
    assert upcoming > datetime.now(UTC) + timedelta(seconds=30)

    db.session.expire_all()
    done = db.session.get(Attempt, attempt.id)
    assert (done.status, done.submitted_by, done.score, done.passed) == ("submitted", "scheduler", 100, True)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "attempt.submit", AuditEvent.object_id == str(attempt.id))) == 1


def test_a_restart_keeps_each_job_s_schedule(app, empty_job_store):
    """F13: building the scheduler again does not push a job that is due later a whole interval on."""
    first = runner.build_scheduler(app)
    first.start(paused=True)
    first.shutdown(wait=True)
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=17)
    store_run_time(app, "exam_notebooks", due)
    second = runner.build_scheduler(app)
    second.start(paused=True)
    try:
        assert second.get_job("exam_notebooks").next_run_time == due
    finally:
        second.shutdown(wait=True)


def store_run_time(app, job_id: str, when: datetime) -> None:
    """Set a stored job's next run time through the job store itself, with no scheduler running: a paused
    scheduler that is shut down with a job due processes it one last time (and moves it on) as it stops."""
    store = SQLAlchemyJobStore(url=app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        job = store.lookup_job(job_id)
        job.next_run_time = when
        store.update_job(job)
    finally:
        store.shutdown()
