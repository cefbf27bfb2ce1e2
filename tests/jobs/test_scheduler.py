"""The scheduler: one lease holder runs the jobs, a second process waits (F12); jobs are idempotent."""
import threading
import time
from datetime import timedelta

from examapp.extensions import db
from examapp.jobs import lease, runner, tasks
from examapp.models import SchedulerLease
from tests.conftest import NOW


def test_the_lease_has_one_holder_until_it_expires(app):
    assert lease.acquire("a", now=NOW)
    assert not lease.acquire("b", now=NOW + timedelta(seconds=30))      # a is alive: b waits
    assert lease.acquire("a", now=NOW + timedelta(seconds=30))          # a renews
    assert not lease.acquire("b", now=NOW + timedelta(seconds=89))
    assert lease.acquire("b", now=NOW + timedelta(seconds=91))          # a stopped renewing: b takes over
    assert not lease.acquire("a", now=NOW + timedelta(seconds=92))
    lease.release("b")
    assert lease.acquire("a", now=NOW + timedelta(seconds=93))


def test_two_scheduler_processes_one_runs_the_jobs(app):
    stop = threading.Event()
    started = []
    real_build = runner.build_scheduler

    def counting_build(a):
        started.append(threading.current_thread().name)
        return real_build(a)

    runner.build_scheduler = counting_build
    try:
        threads = [threading.Thread(target=runner.run, args=(app,), name=name,
                                    kwargs={"stop": stop, "renew_every": 0.2, "holder": name})
                   for name in ("first", "second")]
        threads[0].start()
        time.sleep(0.5)
        threads[1].start()
        time.sleep(1.0)
        db.session.commit()
        assert lease.holder_now() == "first" and started == ["first"]
        stop.set()
        for t in threads:
            t.join(timeout=10)
    finally:
        runner.build_scheduler = real_build
    db.session.commit()
    assert db.session.get(SchedulerLease, 1).holder in ("", "second")   # released on the way out


def test_the_scheduler_registers_its_jobs(app):
    scheduler = runner.build_scheduler(app)
    scheduler.start(paused=True)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {"auto_submit_overdue", "exam_notebooks", "exam_reminders", "notification_emails",
                             "study_reminders", "certificate_expiry", "certificate_reminders", "audit_checkpoint"}
        assert jobs["exam_reminders"].coalesce and jobs["exam_reminders"].max_instances == 1
        assert jobs["auto_submit_overdue"].coalesce and jobs["auto_submit_overdue"].max_instances == 1
    finally:
        scheduler.shutdown(wait=False)


def test_the_overdue_job_runs_in_its_own_context(app):
    tasks.APP = app
    assert tasks.auto_submit_overdue() == 0
    assert tasks.auto_submit_overdue() == 0
    assert tasks.exam_notebooks() == 0
