"""S7: at most 100 wrong passwords per account and hour, counted in the database for all workers."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from examapp.errors import LoginThrottled
from examapp.extensions import db
from examapp.models import LoginFailure
from examapp.services import auth
from tests.conftest import NOW, PASSWORD


def failures():
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(LoginFailure).where(LoginFailure.username == "employee"))


def test_hundred_failures_then_even_the_right_password_waits(world):
    for i in range(100):
        assert auth.authenticate("employee", "wrong", ip="1.2.3.4", now=NOW + timedelta(seconds=i)) is None
    for _ in range(50):
        with pytest.raises(LoginThrottled):
            auth.authenticate("employee", "wrong", ip="1.2.3.4", now=NOW + timedelta(minutes=30))
    with pytest.raises(LoginThrottled):
        auth.authenticate("employee", PASSWORD, ip="1.2.3.4", now=NOW + timedelta(minutes=30))
    assert failures() == 100
    # an hour after the failures the account opens again
    assert auth.authenticate("employee", PASSWORD, ip="1.2.3.4", now=NOW + timedelta(hours=1, seconds=100))


def test_concurrent_attempts_across_workers_stay_within_the_limit(app, world):
    """150 wrong passwords from 6 threads, each with its own session like separate workers."""
    results = []

    def worker():
        with app.app_context():
            for _ in range(25):
                try:
                    auth.authenticate("employee", "wrong", ip="5.6.7.8", now=NOW)
                    results.append("fail")
                except LoginThrottled:
                    results.append("throttled")
                finally:
                    db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 150
    assert results.count("fail") == 100 and failures() == 100


def test_web_login_answers_429_when_throttled(client, world, monkeypatch):
    monkeypatch.setattr("examapp.web.auth.views.utcnow", lambda: NOW + timedelta(minutes=5))
    db.session.add_all(LoginFailure(username="employee", at=NOW, ip="") for _ in range(100))
    r = client.post("/login", data={"username": "employee", "password": PASSWORD})
    assert r.status_code == 429 and "登录失败次数过多" in r.get_data(as_text=True)
    monkeypatch.setattr("examapp.web.auth.views.utcnow", lambda: NOW + timedelta(hours=1, minutes=1))
    assert client.post("/login", data={"username": "employee", "password": PASSWORD}).status_code == 302
