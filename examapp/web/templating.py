"""Template helpers: dates in the bureau's time zone, the navigation for the user's roles."""
from datetime import datetime

from flask import Flask
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from flask_login import current_user

ROLE_LABELS = {
    "employee": _l("学员"),
    "unit_admin": _l("单位管理员"),
    "admin": _l("系统管理员"),
    "auditor": _l("审计督查"),
}

TYPE_LABELS = {"single": _l("单选题"), "multiple": _l("多选题"), "judge": _l("判断题"), "fill": _l("填空题"),
               "case": _l("案例题"), "text": _l("主观题")}
STATUS_LABELS = {"active": _l("可用"), "retired": _l("已停用"), "review": _l("待复核")}

FIELD_LABELS = {
    "name": _l("姓名/名称"), "unit": _l("单位"), "position": _l("职务"), "on_post": _l("在编在岗"),
    "is_enforcement": _l("执法岗位"), "is_supervision": _l("监督岗位"), "is_leader": _l("领导干部"),
    "roles": _l("角色"), "active": _l("状态"), "kind": _l("单位类型"), "parent": _l("上级单位"),
    "sort_order": _l("排序"),
}

# (endpoint, label, roles that see it; empty: everyone logged in). Learners' pages sit in the bar,
# the management pages in one menu so that the bar fits on one line.
NAV = (
    ("main.home", _l("首页"), ()),
    ("laws.index", _l("法律法规"), ()),
    ("exams.mine", _l("考试"), ("employee",)),
    ("study.mine", _l("学习"), ("employee",)),
    ("practice.home", _l("练习"), ("employee",)),
)
MANAGE = (
    ("admin.units", _l("组织机构"), ("admin", "unit_admin", "auditor")),
    ("admin.users", _l("人员管理"), ("admin", "unit_admin", "auditor")),
    ("admin.imports", _l("批量导入"), ("admin", "unit_admin")),
    ("admin.questions", _l("题库"), ("admin", "auditor")),
    ("admin.laws_admin", _l("法律文本"), ("admin", "auditor")),
    ("admin.exams_admin", _l("考试管理"), ("admin", "unit_admin", "auditor")),
    ("study.courses_admin", _l("课程管理"), ("admin", "unit_admin", "auditor")),
    ("plans.plans_admin", _l("学习计划"), ("admin", "auditor")),
    ("plans.progress", _l("学时统计"), ("admin", "unit_admin", "auditor")),
    ("plans.offline_lessons", _l("线下学习签到"), ("admin", "unit_admin", "auditor")),
    ("certificates.index", _l("证件"), ("admin", "unit_admin", "auditor")),
    ("reports.rates_page", _l("学法考法统计"), ("admin", "unit_admin", "auditor")),
    ("summary.annual", _l("年度工作情况"), ("admin", "unit_admin", "auditor")),
    ("reports.exemptions_list", _l("免考"), ("admin", "unit_admin", "auditor")),
    ("admin.approvals_list", _l("审批"), ("admin", "unit_admin", "auditor")),
    ("admin.settings", _l("设置"), ("admin", "auditor")),
    ("audit.events", _l("审计日志"), ("admin", "auditor")),
    ("evidence.index", _l("证据包"), ("admin", "unit_admin", "auditor")),
)


def register(app: Flask) -> None:
    @app.template_filter("dt")
    def fmt_dt(value: datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
        return format_datetime(value, fmt) if value else ""

    @app.template_filter("num")
    def fmt_number(value) -> str:
        """12.0 → 12, 12.5 → 12.5: points and scores without a needless decimal."""
        if value is None:
            return ""
        return str(int(value)) if float(value).is_integer() else f"{float(value):g}"

    @app.context_processor
    def navigation():
        if not current_user.is_authenticated:
            return {"nav_items": []}
        def visible(entries):
            return [(ep, label) for ep, label, roles in entries if not roles or current_user.has_role(*roles)]
        return {"nav_items": visible(NAV), "manage_items": visible(MANAGE), "role_labels": ROLE_LABELS, "field_labels": FIELD_LABELS,
                "status_labels": STATUS_LABELS}
