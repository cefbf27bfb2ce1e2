"""The public verify page (no login): a certificate's status, holder name, unit and validity, nothing else (S14)."""
from flask import redirect, render_template, request, url_for

from ...clock import utcnow
from ...security import public
from ...services import certificate_views as service
from . import bp


@bp.get("/")
@public
def form():
    number = request.args.get("number", "").strip()
    if number:
        # an impossible number is answered like an unknown one, by the result page's 404
        return redirect(url_for("verify.result", number=number))
    return render_template("verify/form.html", number="")


@bp.get("/<number>")
@public
def result(number: str):
    view = service.public_view(number, now=utcnow())
    return render_template("verify/result.html", cert=view)
