"""The annual summary for the director's duty report (年度学法考法工作情况): a page and its Word export."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("summary", __name__, url_prefix="/reports")

READ = ("admin", "unit_admin", "auditor")

# the page's names (the domain's labels are the untranslated originals the Word document uses)
SECTION_TEXT = {"study": _l("学法"), "exam": _l("考法"), "certificate": _l("执法资格")}
LABELS = {
    "courses": _l("学习课程（门）"),
    "lessons": _l("课时（节）"),
    "offline_sessions": _l("线下学习活动（场次）"),
    "offline_people": _l("线下学习参加人数"),
    "offline_times": _l("线下学习参加人次"),
    "lecture_sessions": _l("法治讲座（场次）"),
    "lecture_people": _l("法治讲座参加人数"),
    "lecture_times": _l("法治讲座参加人次"),
    "group_study_sessions": _l("集中学习（场次）"),
    "group_study_people": _l("集中学习参加人数"),
    "group_study_times": _l("集中学习参加人次"),
    "leader_study_sessions": _l("党组中心组学法（场次）"),
    "leader_study_people": _l("党组中心组学法参加人数"),
    "leader_study_times": _l("党组中心组学法参加人次"),
    "oath_sessions": _l("宪法宣誓（场次）"),
    "oath_people": _l("宪法宣誓参加人数"),
    "oath_times": _l("宪法宣誓参加人次"),
    "people_trained": _l("参学人数"),
    "hours": _l("累计学时"),
    "average_hours": _l("人均学时"),
    "study_completion_rate": _l("学时完成率"),
    "exam_rounds": _l("考试场次"),
    "annual_rounds": _l("年度普法考试（场次）"),
    "qualification_major_rounds": _l("资格考试（专业）（场次）"),
    "qualification_public_rounds": _l("资格考试（公共）（场次）"),
    "competition_rounds": _l("竞赛（场次）"),
    "expected": _l("应参考人数"),
    "exempt": _l("免考人数"),
    "sat": _l("参考人数"),
    "passed": _l("合格人数"),
    "excellent": _l("优秀人数"),
    "participation_rate": _l("参考率"),
    "pass_rate": _l("合格率（占参考人数）"),
    "pass_rate_of_expected": _l("合格率（占应参考人数）"),
    "excellence_rate": _l("优秀率"),
    "cert_issued": _l("新发证件"),
    "cert_renewed": _l("换发证件"),
    "cert_suspended": _l("暂扣证件"),
    "cert_revoked": _l("吊销证件"),
    "cert_cancelled": _l("注销证件"),
    "valid_certificates_total": _l("有效证件（统计日）"),
    "valid_enforcement": _l("行政执法证"),
    "valid_supervision": _l("行政执法监督证"),
    "enforcement_staff": _l("执法人员"),
    "certified_staff": _l("持有效行政执法证的执法人员"),
    "certificate_rate": _l("持证率"),
}
# the bars drawn above each group's table: this year against last year
CHARTS = {
    "study": ("count", ("lecture_sessions", "group_study_sessions", "leader_study_sessions", "oath_sessions")),
    "exam": ("rate", ("participation_rate", "pass_rate", "excellence_rate")),
    "certificate": ("count", ("cert_issued", "cert_renewed", "cert_suspended", "cert_revoked", "cert_cancelled")),
}

from . import views  # noqa: E402,F401
