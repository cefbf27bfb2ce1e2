"""Certificate pages for admins and unit admins (auditors read): list, certificate, applications, import,
compliance."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("certificates", __name__, url_prefix="/admin/certificates")

READ = ("admin", "unit_admin", "auditor")
APPLY = ("admin", "unit_admin")
ADMIN = ("admin",)

# the page's names (the domain's labels are the untranslated originals)
STATUS_TEXT = {"valid": _l("有效"), "expiring": _l("即将到期"), "expired": _l("已过期"), "suspended": _l("暂扣"),
               "revoked": _l("已吊销"), "recalled": _l("已收回"), "cancelled": _l("已注销"), "lost": _l("已挂失"),
               "replaced": _l("已换发")}
STATUS_BADGE = {"valid": "success", "expiring": "warning", "expired": "secondary", "suspended": "warning",
                "revoked": "danger", "recalled": "dark", "cancelled": "dark", "lost": "info", "replaced": "light"}
TYPE_TEXT = {"ENFORCEMENT": _l("行政执法证"), "SUPERVISION": _l("行政执法监督证")}
EVENT_TEXT = {"issue": _l("发证"), "review": _l("审验"), "renew": _l("换发"), "suspend": _l("暂扣"),
              "reinstate": _l("恢复"), "revoke": _l("吊销"), "recall": _l("收回"), "cancel": _l("注销"),
              "lose": _l("挂失"), "reissue": _l("补发"), "expire": _l("到期"), "import": _l("导入")}
APPLICATION_TEXT = {"pending": _l("待审批"), "approved": _l("已批准"), "refused": _l("不予批准")}

from . import views  # noqa: E402,F401
