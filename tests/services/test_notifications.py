"""Notifications: stored once per person and key (also when two runs overlap), exam reminders at the right
time and to the right people, make-up notices by eligibility, and e-mail through an SMTP server."""
import email
import email.policy
import socketserver
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from examapp.errors import NotFound
from examapp.extensions import db
from examapp.jobs import tasks
from examapp.models import Attempt, AuditEvent, Notification, User
from examapp.services import exams, notifications, reminders
from tests.conftest import NOW, make_exam

RULES = [["test_law", "single", None, 1, 50], ["test_law", "judge", None, 1, 50]]


def notes(key_part: str = "") -> dict[str, int]:
    """username -> how many notifications whose key contains `key_part`."""
    rows = db.session.execute(select(User.username, func.count()).join(Notification, Notification.user_id == User.id)
                              .where(Notification.key.contains(key_part)).group_by(User.username)).all()
    return dict(rows)


def sit(user, exam, *, score: float, now):
    """A submitted attempt with the given score (the grading itself is tested elsewhere)."""
    attempt, _ = exams.start_attempt(user, exam.id, now=now)
    exams.submit(user, attempt.id, now=now + timedelta(minutes=5))
    attempt = db.session.get(Attempt, attempt.id)
    attempt.score, attempt.passed = score, score >= exam.pass_mark
    db.session.commit()
    return attempt


# -- notify_many -----------------------------------------------------------------------------------

def test_notify_many_stores_each_key_once_per_person(world):
    args = ("k1", "info", "标题", "正文", "/exams/", NOW)
    assert notifications.notify_many([world.employee, world.victim.id, world.employee.id], *args) == 2
    assert notifications.notify_many([world.employee, world.victim, world.b_person], *args) == 1
    assert notes("k1") == {"employee": 1, "victim": 1, "bperson": 1}
    assert notifications.notify_many([], *args) == 0
    sends = db.session.scalars(select(AuditEvent.data_json).where(AuditEvent.action == "notification.send")).all()
    assert len(sends) == 2 and '"recipients":2' in sends[0]


def test_an_insert_racing_another_run_skips_what_it_stored(world):
    notifications.notify_many([world.employee], "race", "info", "t", "", "", NOW)
    row = {"key": "race", "kind": "info", "title": "t", "body": "", "link": "", "created_at": NOW}
    # the rows a second run would insert after reading the keys before the first one committed
    inserted = notifications._insert_ignoring_duplicates([{**row, "user_id": world.employee.id},
                                                          {**row, "user_id": world.victim.id}])
    db.session.commit()
    assert inserted == [world.victim.id] and notes("race") == {"employee": 1, "victim": 1}


def test_reading_marking_and_another_person_s_notification(world):
    for n in range(3):
        notifications.notify_many([world.employee], f"n{n}", "info", f"消息{n}", "", "", NOW + timedelta(minutes=n))
    notifications.notify_many([world.victim], "v", "info", "别人的", "", "", NOW)
    titles = [n.title for n in db.session.scalars(notifications.list_query(world.employee))]
    assert titles == ["消息2", "消息1", "消息0"]
    assert notifications.unread_count(world.employee) == 3
    first = db.session.scalars(notifications.list_query(world.employee)).first()
    notifications.mark_read(world.employee, first.id, now=NOW + timedelta(hours=1))
    notifications.mark_read(world.employee, first.id, now=NOW + timedelta(hours=2))   # again: unchanged
    assert db.session.get(Notification, first.id).read_at == NOW + timedelta(hours=1)
    theirs = db.session.scalar(select(Notification.id).where(Notification.user_id == world.victim.id))
    with pytest.raises(NotFound):
        notifications.mark_read(world.employee, theirs, now=NOW)
    with pytest.raises(NotFound):
        notifications.mark_read(world.employee, 99999, now=NOW)
    assert notifications.mark_all_read(world.employee, now=NOW) == 2
    assert notifications.unread_count(world.employee) == 0 and notifications.unread_count(world.victim) == 1


# -- reminders before an exam opens and closes -----------------------------------------------------

@pytest.fixture
def later_exam(world, small_law):
    """Opens three days after NOW for unit A's subtree (employee, victim, unitadmin), for a week."""
    return make_exam(RULES, opens_at=NOW + timedelta(days=3), title="第二季度考试")


def test_the_opening_reminder_goes_out_once_a_day_before(app, world, later_exam):
    opens = later_exam.opens_at
    assert reminders.send_open_reminders(now=opens - timedelta(hours=25)) == 0          # not before
    world.victim.active = False                                                       # deactivated: never
    db.session.commit()
    assert reminders.send_open_reminders(now=opens - timedelta(hours=23)) == 2
    assert notes(":open:") == {"employee": 1, "unitadmin": 1}                          # the audience only
    assert reminders.send_open_reminders(now=opens - timedelta(hours=22)) == 0          # idempotent
    note = db.session.scalar(select(Notification).where(Notification.user_id == world.employee.id))
    assert note.title == "考试即将开始" and note.link == f"/exams/{later_exam.id}"
    assert "《第二季度考试》将于 2026-03-18 10:00 开始" in note.body                      # the bureau's local time
    assert reminders.send_open_reminders(now=opens + timedelta(minutes=1)) == 0         # already open


def test_a_second_lead_time_sends_a_second_reminder(app, world, later_exam):
    app.config["OPEN_REMINDER_HOURS"] = "24,2"
    opens = later_exam.opens_at
    assert reminders.send_open_reminders(now=opens - timedelta(hours=20)) == 3
    assert reminders.send_open_reminders(now=opens - timedelta(hours=1)) == 3
    assert notes(":open:") == {"employee": 2, "unitadmin": 2, "victim": 2}
    app.config["OPEN_REMINDER_HOURS"] = "soon"                                            # a bad setting: off, logged
    assert reminders.send_open_reminders(now=opens - timedelta(hours=1)) == 0


def test_closing_reminders_skip_those_who_sat(app, world, later_exam):
    closes = later_exam.closes_at
    sit(world.employee, later_exam, score=80, now=later_exam.opens_at + timedelta(hours=1))
    assert reminders.send_close_reminders(now=closes - timedelta(hours=25)) == 0
    assert reminders.send_close_reminders(now=closes - timedelta(hours=23)) == 2
    assert notes(":close:24h") == {"victim": 1, "unitadmin": 1}
    sit(world.victim, later_exam, score=40, now=closes - timedelta(hours=5))
    assert reminders.send_close_reminders(now=closes - timedelta(hours=2)) == 1          # the 2-hour stage
    assert notes(":close:2h") == {"unitadmin": 1}
    assert reminders.send_close_reminders(now=closes - timedelta(hours=1)) == 0
    assert reminders.send_close_reminders(now=closes) == 0
    note = db.session.scalar(select(Notification).where(Notification.key.contains(":close:2h")))
    assert note.title == "考试即将结束" and "2026-03-25 10:00 截止" in note.body


def test_no_reminders_for_a_draft_exam(app, world, later_exam):
    later_exam.status = "draft"
    db.session.commit()
    assert reminders.send_exam_reminders(now=later_exam.opens_at - timedelta(hours=1)) == 0


def test_a_closing_reminder_waits_until_the_exam_is_open(app, world, small_law):
    exam = make_exam(RULES, opens_at=NOW + timedelta(hours=6), closes_at=NOW + timedelta(hours=10))
    assert reminders.send_close_reminders(now=NOW) == 0
    assert reminders.send_open_reminders(now=NOW) == 3
    assert reminders.send_close_reminders(now=exam.opens_at + timedelta(minutes=5)) == 3


def test_two_overlapping_runs_store_each_reminder_once(app, world, later_exam):
    now = later_exam.opens_at - timedelta(hours=12)
    results, errors = [], []
    barrier = threading.Barrier(2)

    def worker():
        with app.app_context():
            try:
                barrier.wait()
                results.append(reminders.send_open_reminders(now=now))
            except Exception as e:  # surfaced below
                errors.append(e)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.session.commit()
    assert errors == [] and sum(results) == 3
    assert notes(":open:") == {"employee": 1, "unitadmin": 1, "victim": 1}


def test_the_job_runs_in_its_own_context(app, world, later_exam):
    tasks.APP = app
    now = later_exam.opens_at - timedelta(hours=3)
    assert tasks.exam_reminders(now=now) == 3
    assert tasks.exam_reminders(now=now) == 0
    assert tasks.notification_emails(now=now) == 0          # no SMTP server configured: nothing to do


# -- make-up notices -------------------------------------------------------------------------------

@pytest.fixture
def makeup_exam(world, small_law):
    """Main window NOW .. +1 day; make-up +3 .. +4 days."""
    return make_exam(RULES, opens_at=NOW, closes_at=NOW + timedelta(days=1), attempts_allowed=1,
                     makeup_opens_at=NOW + timedelta(days=3), makeup_closes_at=NOW + timedelta(days=4),
                     makeup_for=["absent", "failed"], title="年度考试")


def test_makeup_notices_go_to_the_absent_and_those_who_failed(world, makeup_exam):
    sit(world.employee, makeup_exam, score=90, now=NOW + timedelta(hours=1))       # passed
    sit(world.victim, makeup_exam, score=30, now=NOW + timedelta(hours=2))         # failed; unitadmin absent
    assert reminders.send_makeup_notices(now=NOW + timedelta(hours=23)) == 0       # main window still open
    assert reminders.send_makeup_notices(now=NOW + timedelta(days=1, hours=1)) == 0  # > 24 h before the make-up
    assert reminders.send_makeup_notices(now=NOW + timedelta(days=2, hours=1)) == 2
    assert notes(":makeup:") == {"victim": 1, "unitadmin": 1}
    assert reminders.send_makeup_notices(now=NOW + timedelta(days=3, hours=1)) == 0
    note = db.session.scalar(select(Notification).where(Notification.user_id == world.victim.id))
    assert note.title == "补考通知" and "2026-03-18 10:00 至 2026-03-19 10:00" in note.body
    # the same decision as the person's own exam list makes once the make-up is open
    at = NOW + timedelta(days=3, hours=1)
    for user in (world.employee, world.victim, world.unit_admin):
        row = exams.exams_for(user, now=at)[0]
        assert (row.status == "makeup") == (user.username in notes(":makeup:"))


def test_makeup_only_for_those_who_failed(world, makeup_exam):
    makeup_exam.makeup_for = ["failed"]
    db.session.commit()
    sit(world.victim, makeup_exam, score=30, now=NOW + timedelta(hours=2))
    world.employee.active = False
    db.session.commit()
    assert reminders.send_makeup_notices(now=NOW + timedelta(days=2, hours=6)) == 1
    assert notes(":makeup:") == {"victim": 1}


def test_a_running_attempt_at_the_close_waits_for_its_result(world, makeup_exam):
    attempt, _ = exams.start_attempt(world.victim, makeup_exam.id, now=makeup_exam.closes_at - timedelta(minutes=10))
    closed = makeup_exam.closes_at + timedelta(days=1)   # inside the 24 h before the make-up
    assert reminders.send_makeup_notices(now=closed) == 2                           # employee, unitadmin: absent
    assert "victim" not in notes(":makeup:")
    exams.submit_overdue(now=closed)
    assert reminders.send_makeup_notices(now=closed + timedelta(minutes=5)) == 1   # submitted, 0 points: failed
    assert notes(":makeup:") == {"employee": 1, "unitadmin": 1, "victim": 1}
    assert db.session.get(Attempt, attempt.id).status == "submitted"


# -- e-mail ----------------------------------------------------------------------------------------

class FakeSMTP(socketserver.ThreadingTCPServer):
    """Just enough of an SMTP server on the loopback for smtplib: keeps each message it accepts and
    refuses the recipients in `refuse`."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse: set[str] = set()
        super().__init__(("127.0.0.1", 0), _SMTPHandler)
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()


class _SMTPHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 fake ESMTP")
        refused = False
        while line := self.rfile.readline():
            verb = line.decode("ascii", "replace").strip().split(" ")[0].upper()
            if verb == "EHLO":
                self.wfile.write(b"250-fake\r\n250 8BITMIME\r\n")
            elif verb == "RCPT":
                address = line.decode().split(":", 1)[1].strip().strip("<>")
                refused = address in self.server.refuse
                self.reply("550 no such mailbox" if refused else "250 ok")
            elif verb == "DATA":
                self.reply("354 go ahead")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                self.server.messages.append(email.message_from_bytes(data, policy=email.policy.default))
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:   # HELO, MAIL, RSET, NOOP
                self.reply("250 ok")


@pytest.fixture
def smtp(app):
    server = FakeSMTP()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_FROM="exam@gxj.example.gov.cn",
                      SMTP_TIMEOUT=5)
    yield server
    server.shutdown()
    server.server_close()


def test_notifications_are_emailed_once(app, world, smtp):
    world.employee.email = "zhangsan@gxj.example.gov.cn"
    world.victim.email = "lisi@gxj.example.gov.cn"
    world.b_person.email = "wangwu@gxj.example.gov.cn"
    world.b_person.active = False                                      # deactivated: no mail
    db.session.commit()
    notifications.notify_many([world.employee, world.victim, world.b_person, world.unit_admin], "k", "exam_open",
                              "考试即将开始", "《年度考试》将于 2026-03-16 10:00 开始。", "/exams/1", NOW)
    assert notifications.send_pending_emails(now=NOW) == 2            # unitadmin has no address
    got = {m["To"].addresses[0].addr_spec: m for m in smtp.messages}
    assert set(got) == {"zhangsan@gxj.example.gov.cn", "lisi@gxj.example.gov.cn"}
    message = got["zhangsan@gxj.example.gov.cn"]
    assert message["Subject"] == "考试即将开始" and message["To"].addresses[0].display_name == "张三"
    assert "《年度考试》将于 2026-03-16 10:00 开始。" in message.get_content()
    assert notifications.send_pending_emails(now=NOW + timedelta(minutes=5)) == 0    # a second run sends nothing
    assert len(smtp.messages) == 2
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.emailed_at == NOW)) == 2


def test_a_refused_message_is_retried_and_the_rest_go_out(app, world, smtp):
    app.config["BASE_URL"] = "https://exam.gxj.example.gov.cn/"
    world.employee.email, world.victim.email = "zhangsan@gxj.example.gov.cn", "lisi@gxj.example.gov.cn"
    db.session.commit()
    smtp.refuse.add("lisi@gxj.example.gov.cn")
    notifications.notify_many([world.employee, world.victim], "k", "info", "补考通知", "正文", "/exams/1", NOW)
    assert notifications.send_pending_emails(now=NOW) == 1
    assert "https://exam.gxj.example.gov.cn/exams/1" in smtp.messages[0].get_content()
    smtp.refuse.clear()
    assert notifications.send_pending_emails(now=NOW + timedelta(minutes=5)) == 1   # retried on the next run
    assert [m["To"].addresses[0].addr_spec for m in smtp.messages] == ["zhangsan@gxj.example.gov.cn",
                                                                        "lisi@gxj.example.gov.cn"]


def test_an_unreachable_server_is_logged_and_nothing_is_marked(app, world, caplog):
    probe = socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler)
    port = probe.server_address[1]
    probe.server_close()                                              # nothing listens there now
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_TIMEOUT=2)
    world.employee.email = "zhangsan@gxj.example.gov.cn"
    db.session.commit()
    notifications.notify_many([world.employee], "k", "info", "标题", "", "", NOW)
    assert notifications.send_pending_emails(now=NOW) == 0
    assert "cannot reach" in caplog.text
    assert db.session.scalar(select(Notification.emailed_at)) is None


def test_read_and_old_notifications_are_not_mailed(app, world, smtp):
    world.employee.email = "zhangsan@gxj.example.gov.cn"
    db.session.commit()
    notifications.notify_many([world.employee], "old", "info", "旧消息", "", "", NOW - timedelta(days=10))
    notifications.notify_many([world.employee], "seen", "info", "已读", "", "", NOW)
    seen = db.session.scalar(select(Notification.id).where(Notification.key == "seen"))
    notifications.mark_read(world.employee, seen, now=NOW)
    assert notifications.send_pending_emails(now=NOW) == 0 and smtp.messages == []
