"""F12 with real processes: two `flask scheduler run` on one database. One holds the lease and runs the jobs,
the other waits; when the first stops, the second takes over."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from examapp.extensions import db
from examapp.models import SchedulerLease
from tests.servers import ROOT, stop

pytestmark = pytest.mark.server


def scheduler(app, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": app.config["SECRET_KEY"],
           "EXAMAPP_INSTANCE_PATH": app.config["INSTANCE_PATH"], "EXAMAPP_SCHEDULER_RENEW_SECONDS": "0.5"}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run"], cwd=ROOT, env=env,
                            stdout=log.open("w"), stderr=subprocess.STDOUT)


def wait_for(log: Path, text: str, process: subprocess.Popen, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text in log.read_text():
            return
        if process.poll() is not None:
            break
        time.sleep(0.1)
    raise AssertionError(f"{text!r} not in {log.name}: {log.read_text()[-2000:]}")


def holder() -> str | None:
    db.session.rollback()          # read what the processes committed
    lease = db.session.scalar(select(SchedulerLease))
    return lease.holder if lease is not None else None


def test_f12_two_scheduler_processes_one_runs_the_jobs_the_other_takes_over(app, world, tmp_path):
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = scheduler(app, first_log)
    second = None
    try:
        wait_for(first_log, "holds the lease; jobs start", first)
        second = scheduler(app, second_log)
        wait_for(second_log, "another scheduler holds the lease", second)
        time.sleep(1.5)                            # several renewals: the lease stays with the first
        assert holder() == f"{os.uname().nodename}:{first.pid}"
        assert "jobs start" not in second_log.read_text()
        stop(first)                                # SIGTERM: it stops its jobs and gives the lease back
        wait_for(second_log, "holds the lease; jobs start", second)
        assert holder() == f"{os.uname().nodename}:{second.pid}"
    finally:
        stop(first)
        if second is not None:
            stop(second)
