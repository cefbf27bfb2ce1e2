"""The jobs. Each is idempotent and safe to run twice; each opens its own app context."""
from ..clock import utcnow

APP = None   # set by the scheduler process: APScheduler's database job store needs importable functions


def auto_submit_overdue() -> int:
    """Submit, with their saved answers, the attempts whose deadline and grace have passed (F9)."""
    from ..services import exams

    with APP.app_context():
        return exams.submit_overdue(now=utcnow())


def exam_notebooks() -> int:
    """After an exam closes, its wrong answers join the takers' wrong-answer notebooks (once per exam)."""
    from ..services import exams

    with APP.app_context():
        return exams.sync_notebooks(now=utcnow())
