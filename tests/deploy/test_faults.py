"""QUALITY.md's reliability rows that need real processes: gunicorn with deploy/gunicorn.conf.py on the test's
database, taken through the JSON API of DESIGN §4 by clients that retry the way the exam page does.

F1 a worker killed (-9) during saves · F2 the whole server killed and restarted · F3 a graceful restart (HUP)
during submits · F10 PostgreSQL restarted under load (a private throwaway cluster) · F11 SQLite with five
workers under concurrent saves · F16 the disk fills (SQLite on a small tmpfs)."""
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from examapp.clock import utcnow
from examapp.extensions import db
from examapp.models import Answer, Attempt, AuditEvent
from tests.conftest import PASSWORD, make_exam, make_user
from tests.servers import (
    ApiClient,
    Unreachable,
    free_port,
    gunicorn,
    private_site,
    stop,
    wait_for_workers,
    wait_gone,
    worker_pids,
)

pytestmark = pytest.mark.server
# F10, F11 and F16 bring their own database (a private cluster, an SQLite file): they do not depend on
# TEST_DATABASE_URL, so they run once, in the suite's SQLite pass
OWN_DATABASE = pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")),
                                  reason="uses its own database; runs once, in the SQLite pass")

# what a taker answers to each type at sequence number `seq`: every seq has its own response
RESPONSE = {"single": lambda seq: "ABCD"[seq % 4], "multiple": lambda seq: ["AB", "ABD", "CD"][seq % 3],
            "judge": lambda seq: seq % 2 == 0, "fill": lambda seq: [f"{seq}日"]}
ALL_TYPES = [["test_law", "single", None, 1, 25], ["test_law", "multiple", None, 1, 25],
             ["test_law", "judge", None, 1, 25], ["test_law", "fill", None, 1, 25]]


def open_exam(rules, **settings):
    """Published, open now by the real clock (the servers run on it), options in bank order."""
    return make_exam(rules, opens_at=utcnow() - timedelta(hours=1), closes_at=utcnow() + timedelta(days=1),
                     shuffle_options=False, shuffle_questions=False, **settings)


def takers(world, n: int) -> list[str]:
    return ["employee"] + [make_user(f"taker{i:02d}", world.a1).username for i in range(1, n)]


def sign_in_and_start(port: int, username: str, exam_id: int) -> tuple[ApiClient, dict]:
    client = ApiClient(port)
    client.login(username, PASSWORD, retries=5)
    status, data = client.request("POST", f"/api/v1/exams/{exam_id}/attempts", retries=5)
    assert status in (200, 201), (status, data)
    return client, data["attempt"]


def answer_url(attempt: dict, question: dict) -> str:
    return f"/api/v1/attempts/{attempt['id']}/answers/{question['id']}"


def stored(attempt_id: int) -> dict[int, tuple[int, object]]:
    """question id → (seq, response) of the answers the database holds for this attempt, read afresh."""
    from examapp.models import QuestionVersion
    db.session.rollback()
    rows = db.session.execute(select(QuestionVersion.question_id, Answer.seq, Answer.response)
                              .join(QuestionVersion, QuestionVersion.id == Answer.question_version_id)
                              .where(Answer.attempt_id == attempt_id)).all()
    return {qid: (seq, response) for qid, seq, response in rows}


def duplicate_answer_rows() -> list:
    db.session.rollback()
    return db.session.execute(select(Answer.attempt_id, Answer.slot, func.count()).group_by(
        Answer.attempt_id, Answer.slot).having(func.count() > 1)).all()


def submit_events(attempt_id: int) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "attempt.submit", AuditEvent.object_id == str(attempt_id)))


def no_trace(data) -> bool:
    return isinstance(data, dict) and "error" in data and "Traceback" not in repr(data)


def saves_in_a_thread(client: ApiClient, attempt: dict, rounds: int, acked: list, problems: list, *,
                      retries: int = 0, stop_at: threading.Event | None = None) -> threading.Thread:
    """Save every question of the attempt `rounds` times with rising seq; record (attempt, question, seq,
    status, data, seconds) for each request that got an HTTP answer, and what did not into `problems`."""
    def run():
        for seq in range(1, rounds + 1):
            for q in attempt["questions"]:
                if stop_at is not None and stop_at.is_set():
                    return
                before, started = client.retried, time.monotonic()
                try:
                    status, data = client.request("PUT", answer_url(attempt, q),
                                                  {"response": RESPONSE[q["type"]](seq), "seq": seq},
                                                  retries=retries, pause=0.1)
                except Unreachable as e:
                    problems.append((attempt["id"], q["id"], seq, str(e)))
                    continue
                acked.append((attempt["id"], q["id"], seq, status, data, time.monotonic() - started,
                              client.retried > before, started))
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


# -- F1 -------------------------------------------------------------------------------------------

def test_f1_a_worker_killed_during_saves_loses_no_acknowledged_answer(app, world, small_law, tmp_path):
    """F1: while four takers save answers, one gunicorn worker is killed with SIGKILL. The clients retry a
    request that got no answer (as the exam page does); every save ends acknowledged or refused as already
    stored, the database holds each answer with its latest seq, one row per attempt and slot, and the
    attempts still save and submit."""
    exam = open_exam(ALL_TYPES)
    server, port, log = gunicorn(app, tmp_path, "f1")
    try:
        sessions = [sign_in_and_start(port, name, exam.id) for name in takers(world, 4)]
        acked, problems, rounds = [], [], 15
        threads = [saves_in_a_thread(c, a, rounds, acked, problems, retries=30) for c, a in sessions]
        total = rounds * 4 * len(sessions)
        while len(acked) < total // 4 and any(t.is_alive() for t in threads):
            time.sleep(0.01)
        victim = worker_pids(server.pid)[0]
        os.kill(victim, signal.SIGKILL)
        for t in threads:
            t.join(60)
        wait_gone([victim])
        assert len(wait_for_workers(server.pid, 2, other_than=[victim])) == 2     # the master replaced it

        assert problems == []                                                # every save got an answer in the end
        assert len(acked) == total
        statuses = {(status, retried) for *_x, status, _d, _s, retried, _t in acked}
        assert statuses <= {(200, False), (200, True), (409, True)}, statuses  # a 409 only for a retried save
        for _client, attempt in sessions:
            held = stored(attempt["id"])
            for q in attempt["questions"]:
                assert held[q["id"]] == (rounds, RESPONSE[q["type"]](rounds)), (attempt["id"], q)
            for _a, qid, seq, *_rest in (r for r in acked if r[0] == attempt["id"]):
                assert held[qid][0] >= seq                                       # nothing acknowledged is missing
        assert duplicate_answer_rows() == []

        client, attempt = sessions[0]
        q = attempt["questions"][0]
        status, data = client.request("PUT", answer_url(attempt, q), {"response": "C", "seq": rounds + 1}, retries=5)
        assert status == 200 and data["saved"]
        status, data = client.request("POST", f"/api/v1/attempts/{attempt['id']}/submit", retries=5)
        assert status == 200 and data["status"] == "submitted"
        assert submit_events(attempt["id"]) == 1
    finally:
        stop(server)


# -- F2 -------------------------------------------------------------------------------------------

def test_f2_the_whole_server_killed_and_restarted_resumes_the_attempt(app, world, small_law, tmp_path):
    """F2: master and workers killed with SIGKILL mid-exam, the server started again on the same port: the
    taker's session still works, the attempt is running with the same deadline and paper, the page shows the
    saved answers, the seq numbers carry on, and the submit grades the answers saved before the crash. The row
    says "a minute later"; the test restarts after 1.5 s, which tests the same thing: the deadline is stored as an
    absolute time, so the remaining time shrinks by the downtime and nothing resets it."""
    exam = open_exam([["test_law", "judge", None, 1, 50], ["test_law", "single", None, 1, 50]])
    server, port, log = gunicorn(app, tmp_path, "f2")
    try:
        client, attempt = sign_in_and_start(port, "employee", exam.id)
        judge, single = sorted(attempt["questions"], key=lambda q: q["type"] != "judge")
        for q, response, seq in ((single, "C", 1), (judge, False, 1), (judge, True, 2)):
            assert client.request("PUT", answer_url(attempt, q), {"response": response, "seq": seq})[0] == 200
        status, before = client.request("GET", f"/api/v1/attempts/{attempt['id']}")
        assert status == 200 and before["status"] == "running"

        workers = worker_pids(server.pid)
        for pid in [server.pid, *workers]:
            os.kill(pid, signal.SIGKILL)
        server.wait(10)
        wait_gone(workers)
        with pytest.raises(Unreachable):
            client.once("GET", f"/api/v1/attempts/{attempt['id']}")           # the server is really gone
        time.sleep(1.5)

        server, _port, log = gunicorn(app, tmp_path, "f2", port=port)
        status, after = client.request("GET", f"/api/v1/attempts/{attempt['id']}")
        assert status == 200 and after["status"] == "running"
        assert after["deadline"] == before["deadline"] and after["started_at"] == before["started_at"]
        assert after["server_time"] > before["server_time"]                   # the clock went on; the deadline did not move
        assert [q["id"] for q in after["questions"]] == [q["id"] for q in attempt["questions"]]

        status, _h, page = _page(client, f"/exams/attempts/{attempt['id']}")
        assert status == 200
        assert _seq_on_page(page, judge["id"]) == 2 and _seq_on_page(page, single["id"]) == 1
        assert stored(attempt["id"]) == {judge["id"]: (2, True), single["id"]: (1, "C")}

        stale = client.request("PUT", answer_url(attempt, judge), {"response": False, "seq": 2})
        assert stale[0] == 409                                                 # seq survived the crash (F5)
        status, data = client.request("POST", f"/api/v1/attempts/{attempt['id']}/submit")
        assert (status, data) == (200, {"status": "submitted", "score": 100.0, "passed": True})
        assert submit_events(attempt["id"]) == 1
    finally:
        stop(server)


def _page(client: ApiClient, path: str):
    from tests.servers import get
    return get(f"http://127.0.0.1:{client.port}{path}", {"Cookie": client.cookie})


def _seq_on_page(page: bytes, question_id: int) -> int:
    found = re.search(rf'data-qid="{question_id}"[^>]*?data-seq="(\d+)"', page.decode(), re.S)
    assert found, f"question {question_id} not on the page"
    return int(found.group(1))


# -- F3 -------------------------------------------------------------------------------------------

def test_f3_a_graceful_restart_during_submits_grades_each_attempt_once(app, world, small_law, tmp_path):
    """F3: ten takers submit at once, three calls each (a double click, a retry), while the master gets
    SIGHUP (new workers, the old ones finish what they hold). Every call ends in 200 with the attempt's own
    score (a call that got no answer is sent again), each attempt is submitted once with one audit event."""
    exam = open_exam([["test_law", "judge", None, 1, 100]])
    server, port, log = gunicorn(app, tmp_path, "f3")
    try:
        sessions = [sign_in_and_start(port, name, exam.id) for name in takers(world, 10)]
        expected = {}
        for n, (client, attempt) in enumerate(sessions):
            q = attempt["questions"][0]
            assert client.request("PUT", answer_url(attempt, q), {"response": n % 2 == 0, "seq": 1})[0] == 200
            expected[attempt["id"]] = 100.0 if n % 2 == 0 else 0.0
        old_workers = worker_pids(server.pid)
        results, problems, answered = [], [], []
        go = threading.Barrier(len(sessions) * 3 + 1)

        def submit(client, attempt):
            go.wait()
            try:
                results.append((attempt["id"], *client.request("POST", f"/api/v1/attempts/{attempt['id']}/submit",
                                                               retries=30, pause=0.1)))
                answered.append(time.monotonic())
            except Unreachable as e:
                problems.append((attempt["id"], str(e)))

        threads = [threading.Thread(target=submit, args=s, daemon=True) for s in sessions for _ in range(3)]
        for t in threads:
            t.start()
        go.wait()
        time.sleep(0.02)
        hup_at = time.monotonic()
        server.send_signal(signal.SIGHUP)
        for t in threads:
            t.join(60)
        wait_for_workers(server.pid, 2, other_than=old_workers)               # the restart really happened
        wait_gone(old_workers, seconds=35)

        assert problems == [] and len(results) == 30
        assert sum(t > hup_at for t in answered) >= 10         # sent before the HUP, answered during the restart
        assert "Handling signal: hup" in log.read_text()
        for attempt_id, status, data in results:
            assert status == 200, (status, data)
            passed = expected[attempt_id] >= 60
            assert data == {"status": "submitted", "score": expected[attempt_id], "passed": passed}
        db.session.rollback()
        for client, attempt in sessions:
            row = db.session.get(Attempt, attempt["id"])
            assert row.status == "submitted" and row.score == expected[attempt["id"]]
            assert submit_events(attempt["id"]) == 1                           # one grade, one event
            again = client.request("POST", f"/api/v1/attempts/{attempt['id']}/submit")   # a replay after the restart
            assert again[0] == 200 and again[1]["score"] == expected[attempt["id"]]
            assert submit_events(attempt["id"]) == 1
    finally:
        stop(server)


# -- F10 ------------------------------------------------------------------------------------------

def _pg_tool(name: str) -> str | None:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(found[-1]) if found else shutil.which(name)


@contextmanager
def private_postgres():
    """A throwaway PostgreSQL cluster of this test only (initdb into a temp dir, its own port and socket
    directory), so that restarting it disturbs no other test; removed afterwards whatever happens."""
    initdb, pg_ctl = _pg_tool("initdb"), _pg_tool("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("F10 needs PostgreSQL's initdb and pg_ctl (apt-get install postgresql-15)")
    as_owner = []
    base = Path(tempfile.mkdtemp(prefix="examapp-f10-"))
    if os.geteuid() == 0:                      # the server refuses to run as root
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(base)
            pytest.skip("F10 runs as root but there is no postgres user to own the private cluster")
        os.chown(base, owner.pw_uid, owner.pw_gid)
        as_owner = ["runuser", "-u", "postgres", "--"]
    port, data = free_port(), base / "data"

    def ctl(*args, check=True):
        return subprocess.run(as_owner + [pg_ctl, "-D", str(data), *args], capture_output=True, text=True,
                              timeout=60, check=check)

    options = (f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
               f"-c max_connections=40 -c shared_buffers=16MB")
    try:
        made = subprocess.run(as_owner + [initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                                          "--locale=C", "--no-sync"], capture_output=True, text=True, timeout=120)
        if made.returncode:
            pytest.skip(f"initdb could not make a private cluster: {made.stderr[-500:]}")
        ctl("-o", options, "-l", str(base / "server.log"), "-w", "start")
        yield (f"postgresql://postgres@127.0.0.1:{port}/postgres",
               lambda: ctl("-m", "fast", "-w", "stop"),
               lambda: ctl("-o", options, "-l", str(base / "server.log"), "-w", "start"))
    finally:
        ctl("-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(base, ignore_errors=True)


@OWN_DATABASE
def test_f10_postgresql_restarted_under_load_fails_fast_and_recovers(tmp_path):
    """F10: four takers save continuously while their private PostgreSQL cluster is stopped (fast shutdown)
    for two seconds and started again. While it is down every request is answered at once with 503 and a JSON
    error (no trace) and the health check says so; once it is back the pool reconnects and saves succeed;
    every acknowledged save is stored, and each stored answer is whole (its response is the one of its seq)."""
    with private_postgres() as (url, stop_db, start_db), private_site(url, tmp_path) as (site, world):
        exam = open_exam(ALL_TYPES)
        server, port, log = gunicorn(site, tmp_path, "f10", url=url)
        try:
            sessions = [sign_in_and_start(port, name, exam.id) for name in takers(world, 4)]
            acked, problems, halt = [], [], threading.Event()
            threads = [saves_in_a_thread(c, a, 10_000, acked, problems, stop_at=halt) for c, a in sessions]
            time.sleep(1.0)
            stop_db()
            down_at = time.monotonic()
            time.sleep(0.5)
            health = sessions[0][0].once("GET", "/healthz")
            time.sleep(1.5)
            up_from = time.monotonic()
            start_db()
            up_at = time.monotonic()
            time.sleep(3.0)
            halt.set()
            for t in threads:
                t.join(30)

            assert problems == []                                    # the server itself never went away
            assert health == (503, {"status": "error", "db": "unreachable"})
            assert {r[3] for r in acked} <= {200, 503}, log.read_text()[-6000:]      # never a 500
            while_down = [r for r in acked if r[7] > down_at + 0.05 and r[7] + r[5] < up_from]
            assert len(while_down) >= 8 and all(r[3] == 503 and no_trace(r[4]) for r in while_down)
            assert max(r[5] for r in while_down) < 1.0                    # fails fast, no hanging on the pool
            recovered = [r for r in acked if r[7] > up_at + 1.0]
            assert recovered and all(r[3] == 200 for r in recovered)      # the pool came back by itself

            try:
                db.session.rollback()
            except OperationalError:             # this test's own connection died with the cluster too
                db.session.rollback()
            for _client, attempt in sessions:
                held = stored(attempt["id"])
                types = {q["id"]: q["type"] for q in attempt["questions"]}
                for qid, (seq, response) in held.items():
                    assert response == RESPONSE[types[qid]](seq)             # nothing half-written
                for _a, qid, seq, status, *_rest in (r for r in acked if r[0] == attempt["id"]):
                    if status == 200:
                        assert held[qid][0] >= seq                           # nothing acknowledged is missing
            assert duplicate_answer_rows() == []
        finally:
            stop(server)


# -- F11 ------------------------------------------------------------------------------------------

@OWN_DATABASE
def test_f11_sqlite_with_five_workers_never_shows_database_is_locked(tmp_path):
    """F11: SQLite (WAL, busy_timeout, BEGIN IMMEDIATE) behind five gunicorn workers; 20 takers save 50
    answers each at once, with no client retry: every save is acknowledged (no 500, no 503, no "database is
    locked"), and every acknowledged answer is in the database with its latest seq. Always SQLite: the row is
    about SQLite even when the suite runs on PostgreSQL."""
    url = f"sqlite:///{tmp_path}/f11.db"
    with private_site(url, tmp_path) as (site, world):
        exam = open_exam(ALL_TYPES)
        names = takers(world, 20)
        server, port, log = gunicorn(site, tmp_path, "f11", url=url, workers=5, threads=4)
        try:
            assert len(wait_for_workers(server.pid, 5)) == 5
            sessions = [sign_in_and_start(port, name, exam.id) for name in names]
            acked, problems, go = [], [], threading.Barrier(len(sessions))

            def run(client, attempt):
                go.wait()
                questions = attempt["questions"]
                for seq in range(1, 51):
                    q = questions[seq % len(questions)]
                    try:
                        status, data = client.once("PUT", answer_url(attempt, q),
                                                   {"response": RESPONSE[q["type"]](seq), "seq": seq})
                    except Unreachable as e:
                        problems.append(str(e))
                        continue
                    acked.append((attempt["id"], q["id"], seq, status, data))

            threads = [threading.Thread(target=run, args=s, daemon=True) for s in sessions]
            for t in threads:
                t.start()
            for t in threads:
                t.join(120)
            assert problems == []
            assert not [r for r in acked if "locked" in repr(r[4])]
            assert sorted({r[3] for r in acked}) == [200] and len(acked) == 20 * 50
            for _client, attempt in sessions:
                held = stored(attempt["id"])
                questions = attempt["questions"]
                for q in questions:
                    last = max(seq for seq in range(1, 51) if questions[seq % len(questions)] is q)
                    assert held[q["id"]] == (last, RESPONSE[q["type"]](last))
            assert duplicate_answer_rows() == []
            assert "database is locked" not in log.read_text()
        finally:
            stop(server)


# -- F16 ------------------------------------------------------------------------------------------

@contextmanager
def small_tmpfs(path: Path, size: str):
    path.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
                          capture_output=True, text=True)
    if made.returncode:
        pytest.skip(f"F16 needs a small tmpfs and this machine refuses to mount one: {made.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


@OWN_DATABASE
def test_f16_a_full_disk_shows_an_error_and_acknowledges_nothing_unstored(tmp_path):
    """F16, on a real full disk: the SQLite database lives on a 4 MB tmpfs mounted for this test, and a filler
    file leaves it 48 KB of room. A taker saves long answers until writes fail with ENOSPC (SQLITE_FULL):
    the failing saves and a submit get a JSON error (no 500, no trace), every acknowledged answer is stored
    and no refused one is, the attempt stays running; once space is freed, saving and submitting work."""
    with small_tmpfs(tmp_path / "disk", "4m") as disk:
        url = f"sqlite:///{disk}/f16.db"
        with private_site(url, tmp_path) as (site, world):
            exam = open_exam(ALL_TYPES)
            server, port, log = gunicorn(site, tmp_path, "f16", url=url)
            try:
                client, attempt = sign_in_and_start(port, "employee", exam.id)
                room = os.statvfs(disk)
                filler = disk / "filler"
                filler.write_bytes(b"\0" * max(0, room.f_bavail * room.f_frsize - 48 * 1024))
                outcomes = []
                for seq in range(1, 41):
                    q = attempt["questions"][seq % 4]
                    response = f"{seq}:" + "长" * 6000           # ~18 KB of UTF-8 JSON per save
                    status, data = client.once("PUT", answer_url(attempt, q), {"response": response, "seq": seq})
                    outcomes.append((q["id"], seq, status, data, response))
                statuses = [o[2] for o in outcomes]
                assert 200 in statuses and set(statuses) - {200}, statuses      # it saved, then the disk was full
                refused = [o for o in outcomes if o[2] != 200]
                assert all(o[2] == 503 and no_trace(o[3]) for o in refused), refused[:2]
                done = client.once("POST", f"/api/v1/attempts/{attempt['id']}/submit")
                assert done[0] == 503 and no_trace(done[1])
                assert "database or disk is full" in log.read_text()      # SQLITE_FULL from a real ENOSPC

                held = stored(attempt["id"])
                for q in attempt["questions"]:
                    acked = [(seq, response) for qid, seq, status, _d, response in outcomes
                             if qid == q["id"] and status == 200]
                    if acked:
                        assert held[q["id"]] == acked[-1]       # the last acknowledged answer, not a refused one
                    else:
                        assert q["id"] not in held
                db.session.rollback()
                assert db.session.get(Attempt, attempt["id"]).status == "running"
                assert submit_events(attempt["id"]) == 0

                filler.unlink()                                  # an operator frees space
                q = attempt["questions"][0]
                status, data = client.once("PUT", answer_url(attempt, q), {"response": "B", "seq": 100})
                assert status == 200 and data["saved"]
                status, data = client.once("POST", f"/api/v1/attempts/{attempt['id']}/submit")
                assert status == 200 and data["status"] == "submitted"
                assert submit_events(attempt["id"]) == 1
            finally:
                stop(server)

