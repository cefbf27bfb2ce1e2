from flask import Response, abort, render_template, request
from flask_login import current_user

from ...clock import utcnow
from ...domain.rates import FIGURES
from ...errors import DomainError, NotFound
from ...security import roles
from ...services import audit, rate_people, rates, report_exports, snapshots
from . import bp
from .params import page_arg, unit_code_arg, year_arg

READERS = ("admin", "unit_admin", "auditor")


def _report(year: int):
    try:
        return rates.build(current_user, year, unit_code=unit_code_arg(), now=utcnow())
    except NotFound:
        abort(404)


def _official(year: int):
    try:
        return snapshots.official(current_user, year, unit_code_arg(), now=utcnow())
    except NotFound:
        abort(404)


@bp.get("/rates")
@roles(read=READERS)
def rates_page():
    year, now = year_arg(), utcnow()
    live = _report(year)
    frozen = snapshots.compare(current_user, live, now=now)
    report = frozen.report if frozen is not None and frozen.report is not None else live
    trend = snapshots.trend(current_user, report, now=now)
    return render_template("reports/rates.html", report=report, live=live, year=year, frozen=frozen, trend=trend,
                           chain=audit.chain_status(),
                           figures=FIGURES, parents=snapshots.ancestors(current_user, report.root.id))


@bp.get("/rates.<fmt>")
@roles(read=READERS)
def rates_export(fmt: str):
    if fmt not in report_exports.FORMATS:
        abort(404)
    report = _official(year_arg())
    data = report_exports.export(current_user, report, fmt, now=utcnow())
    return Response(data, mimetype=report_exports.FORMATS[fmt].mimetype, headers={
        "Content-Disposition": f"attachment; filename={report_exports.filename(report, fmt)}"})


@bp.get("/rates/people")
@roles(read=READERS)
def rate_people_page():
    year, now = year_arg(), utcnow()
    gap, own = request.args.get("gap") == "1", request.args.get("own") == "1"
    try:
        unit, figure, page, rows = rate_people.people(
            current_user, year, request.args.get("unit_id", type=int), request.args.get("figure", ""),
            gap=gap, own=own, now=now, page=page_arg())
    except DomainError:
        abort(404)
    return render_template("reports/people.html", year=year, unit=unit, figure=figure, gap=gap, own=own, page=page,
                           rows=rows, attempts=rate_people.attempts_of(year, [r.user.id for r in rows]))


@bp.get("/remediation")
@roles(read=READERS)
def remediation_page():
    year, now = year_arg(), utcnow()
    try:
        unit, page, rows = rate_people.remediation(current_user, year, request.args.get("unit_id", type=int),
                                                   now=now, page=page_arg())
    except DomainError:
        abort(404)
    return render_template("reports/remediation.html", year=year, unit=unit, page=page, rows=rows)


@bp.get("/remediation.xlsx")
@roles(read=READERS)
def remediation_export():
    year = year_arg()
    try:
        data, name = rate_people.remediation_file(current_user, year, request.args.get("unit_id", type=int),
                                                  now=utcnow())
    except DomainError:
        abort(404)
    return Response(data, mimetype=report_exports.FORMATS["xlsx"].mimetype,
                    headers={"Content-Disposition": f"attachment; filename={name}"})
