import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, render_template, request
from flask_login import current_user

from ...clock import utcnow
from ...extensions import db
from ...security import roles
from ...services import audit
from ...services.audit_log import EventFilter, events_query
from . import bp

READ = ("admin", "auditor")


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _utc_offset():
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.now(tz).utcoffset()


@bp.get("/events")
@roles(read=READ)
def events():
    f = EventFilter(actor=request.args.get("actor", "")[:64], action=request.args.get("action", "")[:64],
                    object_type=request.args.get("object_type", "")[:40],
                    object_id=request.args.get("object_id", "")[:64],
                    date_from=_date_arg("from"), date_to=_date_arg("to"))
    page_no = request.args.get("page", "1")
    page = db.paginate(events_query(current_user, f, utc_offset=_utc_offset()),
                       page=int(page_no) if page_no.isdigit() else 1,
                       per_page=current_app.config["PAGE_SIZE"], error_out=False)
    status = audit.chain_status()
    return render_template("audit/events.html", page=page, f=f, status=status,
                           verification=audit.page_verification(status), loads=json.loads)


@bp.get("/verify")
@roles(read=READ)
def verify():
    result = audit.verify()
    audit.write_checkpoint(result, utcnow())
    return render_template("audit/verify.html", result=result, status=audit.chain_status(),
                           checkpoint=audit.last_checkpoint())
