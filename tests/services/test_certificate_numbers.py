"""Numbers handed out by concurrent approvals are unique and without gaps (row lock on NumberSequence)."""
import threading
from datetime import date

from sqlalchemy import select

from examapp.extensions import db
from examapp.models import NumberSequence
from examapp.services import certificates as svc
from examapp.services.tx import begin_write, commit


def test_two_threads_get_unique_sequential_numbers(app, world):
    per_thread, results, errors = 15, [], []
    barrier = threading.Barrier(2)

    def work():
        try:
            with app.app_context():
                barrier.wait()
                for _ in range(per_thread):
                    begin_write()
                    results.append(svc.next_number("ENFORCEMENT", "A1", date(2026, 3, 15)))
                    commit()
                db.session.remove()
        except Exception as e:  # reported below: a thread's exception would otherwise vanish
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(results) == [f"ZF-A1-2026-{n:05d}" for n in range(1, 2 * per_thread + 1)]
    db.session.expire_all()
    assert db.session.scalar(select(NumberSequence.value)) == 2 * per_thread
