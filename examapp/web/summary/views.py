from flask import Response, render_template, request
from flask_login import current_user

from ...clock import utcnow
from ...security import roles
from ...services import annual_summary as service
from ...services import org
from ...services.study_plans import local_year
from . import CHARTS, LABELS, READ, SECTION_TEXT, bp

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _args(now) -> tuple[int, str | None]:
    """The year asked for (this year when missing, not a number or out of range, as on the other report
    pages) and the unit code, if any."""
    this = local_year(now)
    year = request.args.get("year", type=int)
    year = year if year is not None and 2001 <= year <= this else this
    return year, (request.args.get("unit", "").strip()[:40] or None)


def _charts(summary) -> dict[str, tuple[str, list[dict]]]:
    """Per group: the unit of its bars and the bars (this year, last year), as percentages for rates."""
    out = {}
    for section, (unit, keys) in CHARTS.items():
        scale = 100 if unit == "rate" else 1
        rows = []
        for key in keys:
            f = summary.figure(key)
            if f.this is not None or f.last is not None:
                rows.append({"label": LABELS[key], "this": round((f.this or 0) * scale, 1),
                             "last": round((f.last or 0) * scale, 1)})
        if any(r["this"] or r["last"] for r in rows):
            out[section] = (unit, rows)
    return out


@bp.get("/summary")
@roles(read=READ)
def annual():
    now = utcnow()
    year, unit = _args(now)
    summary = service.build(current_user, year, unit, now=now)
    return render_template("summary/annual.html", s=summary, labels=LABELS, section_text=SECTION_TEXT,
                           charts=_charts(summary), units=org.tree(current_user, include_inactive=False),
                           this_year=local_year(now))


@bp.get("/summary.docx")
@roles(read=READ)
def annual_docx():
    now = utcnow()
    year, unit = _args(now)
    filename, data = service.export_docx(current_user, year, unit, now=now)
    return Response(data, mimetype=DOCX, headers={"Content-Disposition": f"attachment; filename={filename}"})
