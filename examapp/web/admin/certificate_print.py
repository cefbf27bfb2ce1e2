"""The printable certificate, inline: admins, and unit admins and auditors for their units."""
from flask import Response, current_app, request
from flask_login import current_user

from ...clock import utcnow
from ...security import roles
from ...services import certificate_views as service
from . import bp


@bp.get("/certificates/<number>.pdf")
@roles(read=("admin", "unit_admin", "auditor"))
def certificate_pdf(number: str):
    cert = service.get_for(current_user, number)
    base_url = current_app.config.get("BASE_URL") or request.host_url
    data = service.pdf(cert, base_url=base_url, now=utcnow())
    filename = f"{cert.number}.pdf" if cert.number.isascii() else "certificate.pdf"   # headers are latin-1
    return Response(data, mimetype="application/pdf", headers={"Content-Disposition": f"inline; filename={filename}"})
