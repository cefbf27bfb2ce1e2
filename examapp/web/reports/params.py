"""Query parameters shared by the report pages: a bad value falls back to the default, never a 500."""
from flask import request

from ...clock import utcnow
from ...services.study_plans import local_year


def year_arg() -> int:
    year = request.args.get("year", type=int)
    return year if year is not None and 2000 <= year <= 2100 else local_year(utcnow())


def page_arg(name: str = "page") -> int:
    page = request.args.get(name, 1, type=int)
    return page if 1 <= page <= 1_000_000 else 1


def unit_code_arg() -> str | None:
    code = (request.args.get("unit") or "").strip()
    return code[:40] or None
