"""The demo bureau (`seed-demo`): idempotent, creates what is missing and leaves the rest alone."""
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..errors import ValidationError
from ..extensions import db
from ..models import OrgUnit, User, UserRole
from . import audit, org
from .actors import SystemActor
from .passwords import hash_password
from .tx import begin_write, commit

# code, name, kind, parent code
UNITS = [
    ("GXJ", "市工业和信息化局", "bureau", None),
    ("GXJ-BGS", "办公室", "department", "GXJ"),
    ("GXJ-ZCFG", "政策法规科", "department", "GXJ"),
    ("GXJ-WXD", "无线电管理科", "department", "GXJ"),
    ("GXJ-ZXQY", "中小企业科", "department", "GXJ"),
    ("GXJ-YXJC", "运行监测协调科", "department", "GXJ"),
    ("GXJ-XXH", "信息化推进科", "department", "GXJ"),
    ("GXJ-RS", "人事科", "department", "GXJ"),
    ("ZS-JCZ", "市无线电监测站", "affiliated", "GXJ"),
    ("ZS-ZXFW", "市中小企业服务中心", "affiliated", "GXJ"),
    ("ZS-JNJC", "市节能监察中心", "affiliated", "GXJ"),
    ("QX-LL", "零陵区科技和工业信息化局", "district", "GXJ"),
    ("QX-LL-ZH", "综合股", "department", "QX-LL"),
    ("QX-LL-GY", "工业股", "department", "QX-LL"),
    ("QX-LST", "冷水滩区工业和信息化局", "district", "GXJ"),
    ("QX-LST-ZH", "综合股", "department", "QX-LST"),
]

# username, name, unit, position, flags (E enforcement, S supervision, L leader, X not on post), roles
PEOPLE = [
    ("admin", "刘建国", "GXJ-ZCFG", "政策法规科科长", "S", ("admin", "employee")),
    # a second admin: regrades, revocations and exemptions need another admin's approval
    ("admin2", "孙立平", "GXJ-ZCFG", "法制审核员", "S", ("admin", "employee")),
    ("unitadmin", "唐晓燕", "QX-LL", "办公室主任", "", ("unit_admin:QX-LL", "employee")),
    ("auditor", "蒋文斌", "GXJ-BGS", "督查专员", "", ("auditor:GXJ",)),
    ("employee", "周明辉", "GXJ-WXD", "一级主任科员", "E", ("employee",)),
    ("employee2", "李婷", "QX-LL-GY", "科员", "", ("employee",)),
    ("gx0001", "王志强", "GXJ", "党组书记、局长", "L", ("employee",)),
    ("gx0002", "陈红梅", "GXJ", "党组成员、副局长", "L", ("employee",)),
    ("gx0003", "杨光辉", "GXJ", "党组成员、副局长", "LS", ("employee",)),
    ("gx0004", "赵立新", "GXJ", "总工程师", "L", ("employee",)),
    ("gx0101", "黄丽娟", "GXJ-BGS", "办公室主任", "", ("employee",)),
    ("gx0102", "吴海涛", "GXJ-BGS", "四级主任科员", "", ("employee",)),
    ("gx0103", "邓雅琴", "GXJ-BGS", "科员", "", ("employee",)),
    ("gx0201", "胡振华", "GXJ-ZCFG", "副科长", "S", ("employee",)),
    ("gx0202", "谢静", "GXJ-ZCFG", "法制审核员", "S", ("employee",)),
    ("gx0203", "曾宪文", "GXJ-ZCFG", "四级主任科员", "E", ("employee",)),
    ("gx0301", "彭卫东", "GXJ-WXD", "无线电管理科科长", "E", ("employee",)),
    ("gx0302", "蒋小龙", "GXJ-WXD", "副科长", "E", ("employee",)),
    ("gx0303", "罗佳", "GXJ-WXD", "一级科员", "E", ("employee",)),
    ("gx0304", "欧阳明", "GXJ-WXD", "工程师", "E", ("employee",)),
    ("gx0401", "何晓东", "GXJ-ZXQY", "中小企业科科长", "", ("employee",)),
    ("gx0402", "唐敏", "GXJ-ZXQY", "四级主任科员", "", ("employee",)),
    ("gx0403", "秦雪", "GXJ-ZXQY", "科员", "", ("employee",)),
    ("gx0501", "肖国平", "GXJ-YXJC", "运行监测协调科科长", "", ("employee",)),
    ("gx0502", "梁芳", "GXJ-YXJC", "一级科员", "", ("employee",)),
    ("gx0601", "付强", "GXJ-XXH", "信息化推进科科长", "", ("employee",)),
    ("gx0602", "宋琳", "GXJ-XXH", "科员", "", ("employee",)),
    ("gx0701", "潘春兰", "GXJ-RS", "人事科科长", "", ("employee",)),
    ("gx0702", "钟伟", "GXJ-RS", "科员", "X", ("employee",)),
    ("zs0101", "邹建军", "ZS-JCZ", "站长", "EL", ("employee",)),
    ("zs0102", "毛文杰", "ZS-JCZ", "副站长", "E", ("employee",)),
    ("zs0103", "姜涛", "ZS-JCZ", "监测工程师", "E", ("employee",)),
    ("zs0104", "龙慧", "ZS-JCZ", "监测员", "E", ("employee",)),
    ("zs0105", "廖鹏飞", "ZS-JCZ", "监测员", "", ("employee",)),
    ("zs0201", "汤美玲", "ZS-ZXFW", "主任", "L", ("employee",)),
    ("zs0202", "雷振宇", "ZS-ZXFW", "副主任", "", ("employee",)),
    ("zs0203", "夏天", "ZS-ZXFW", "服务专员", "", ("employee",)),
    ("zs0204", "石佳怡", "ZS-ZXFW", "服务专员", "X", ("employee",)),
    ("zs0301", "贺永红", "ZS-JNJC", "主任", "EL", ("employee",)),
    ("zs0302", "戴晓峰", "ZS-JNJC", "监察科科长", "E", ("employee",)),
    ("zs0303", "陶然", "ZS-JNJC", "节能监察员", "E", ("employee",)),
    ("zs0304", "易小兵", "ZS-JNJC", "节能监察员", "E", ("employee",)),
    ("ll0001", "陈志刚", "QX-LL", "党组书记、局长", "L", ("employee",)),
    ("ll0002", "刘芳", "QX-LL", "副局长", "LS", ("employee",)),
    ("ll0101", "张国华", "QX-LL-ZH", "综合股股长", "", ("employee",)),
    ("ll0102", "王丽", "QX-LL-ZH", "科员", "", ("employee",)),
    ("ll0201", "李军", "QX-LL-GY", "工业股股长", "E", ("employee",)),
    ("ll0202", "周婷婷", "QX-LL-GY", "执法人员", "E", ("employee",)),
    ("ll0203", "杨帆", "QX-LL-GY", "执法人员", "E", ("employee",)),
    ("ll0204", "黄伟", "QX-LL-GY", "科员", "X", ("employee",)),
    ("ls0001", "邓国庆", "QX-LST", "党组书记、局长", "L", ("employee",)),
    ("ls0002", "朱秀英", "QX-LST", "副局长", "LS", ("employee",)),
    ("ls0003", "谭建华", "QX-LST", "执法大队长", "E", ("employee",)),
    ("ls0004", "蒋春燕", "QX-LST", "科员", "", ("employee",)),
    ("ls0101", "文俊", "QX-LST-ZH", "综合股股长", "", ("employee",)),
    ("ls0102", "罗小芳", "QX-LST-ZH", "执法人员", "E", ("employee",)),
    ("ls0103", "马骏", "QX-LST-ZH", "执法人员", "E", ("employee",)),
    ("ls0104", "孔德明", "QX-LST-ZH", "科员", "", ("employee",)),
    ("ls0105", "曹丽华", "QX-LST-ZH", "科员", "", ("employee",)),
    ("ls0106", "袁志勇", "QX-LST-ZH", "监督员", "S", ("employee",)),
]

DEMO_ACCOUNTS = ("admin", "admin2", "unitadmin", "auditor", "employee", "employee2")


def seed(*, now: datetime, password: str) -> dict:
    actor = SystemActor(username="system:seed")
    begin_write()
    units = {u.code: u for u in db.session.execute(select(OrgUnit)).scalars()}
    for code, name, kind, parent_code in UNITS:
        if code in units:
            continue
        unit = org.add_unit(code=code, name=name, kind=kind, parent=units.get(parent_code),
                            sort_order=len(units))
        units[code] = unit
        audit.record("unit.create", actor=actor, now=now, object_type="unit", object_id=unit.id,
                     data={"code": code, "name": name, "kind": kind, "parent": parent_code, "via": "seed-demo"})
    existing = set(db.session.execute(select(User.username)).scalars())
    password_hash = None
    created = 0
    for username, name, unit_code, position, flags, role_specs in PEOPLE:
        if username in existing:
            continue
        password_hash = password_hash or hash_password(password)
        user = User(username=username, name=name, unit=units[unit_code], position=position,
                    is_enforcement="E" in flags, is_supervision="S" in flags, is_leader="L" in flags,
                    on_post="X" not in flags, password_hash=password_hash, must_change_password=False,
                    password_changed_at=now)
        for spec in role_specs:
            role, _, scope_code = spec.partition(":")
            user.roles.append(UserRole(role=role, scope_unit=units[scope_code] if scope_code else None))
        db.session.add(user)
        db.session.flush()
        audit.record("user.create", actor=actor, now=now, object_type="user", object_id=user.id,
                     data={"username": username, "name": name, "unit": unit_code,
                           "roles": sorted(user.role_names), "via": "seed-demo"})
        created += 1
    commit()
    certificates = seed_certificates(now=now)
    return {"units": len(units), "people": db.session.scalar(select(func.count()).select_from(User)),
            "created": created, "certificates": certificates}


def seed_content(laws_dir: str, bank_dir: str, *, now: datetime) -> list[str]:
    """Import the law texts beside the repository and the shipped banks (unchanged files are skipped)."""
    from pathlib import Path

    from . import bank, laws

    actor = SystemActor(username="system:seed")
    notes = []
    law_files = sorted(Path(laws_dir).glob("*.md")) if Path(laws_dir).is_dir() else []
    law_files = [p for p in law_files if p.name != "README.md"]
    if not law_files:
        return [f"law texts not found in {laws_dir} (set EXAMAPP_LAWS_DIR): laws and questions not loaded"]
    imported = 0
    for path in law_files:
        try:
            result = laws.import_law(actor, path.name, path.read_bytes(), now=now)
            imported += result.status != "unchanged"
        except ValidationError as e:
            notes.append(f"law text skipped: {e}")
    notes.append(f"laws: {len(law_files)} texts ({imported} imported this run)")
    created = 0
    for path in sorted(Path(bank_dir).glob("*.yaml")):
        result = bank.import_bank_file(actor, path.name, path.read_bytes(), now=now)
        if not result.ok:
            notes.append(f"bank {path.name} not imported: {result.errors[0]}")
        created += result.created
    notes.append(f"question banks: {created} questions created this run")
    notes.append(seed_annual_exam(now=now))
    notes.append(seed_notifications(now=now))
    from . import study_plans
    notes.append(study_plans.seed_demo(now=now))
    from . import demo_reports
    notes.append(demo_reports.seed_demo(now=now, rules=ANNUAL_RULES))
    return notes


ANNUAL_RULES = [  # 50 questions, 100 points: the default annual exam (DESIGN §2)
    ["constitution", "single", None, 8, 2], ["constitution", "judge", None, 6, 2],
    ["civil_code", "single", None, 8, 2], ["civil_code", "judge", None, 6, 2],
    ["national_security_law", "single", None, 4, 2], ["petition_regulations", "judge", None, 4, 2],
    ["administrative_penalty_law", "single", None, 4, 2], ["administrative_penalty_law", "multiple", None, 4, 2],
    ["sme_payment_regulations_2020", "judge", None, 3, 2], ["business_environment_regulations", "multiple", None, 3, 2],
]


def draft_annual_exam(title: str, year: int, opens_at: datetime, closes_at: datetime, rules: list, unit_code: str,
                      **fields):
    """A draft annual exam of 90 minutes drawing `rules` for a unit's subtree (committed, not yet published)."""
    from ..models import Exam, ExamAudience, ExamPaper
    begin_write()
    exam = Exam(title=title, kind="annual", year=year, status="draft", opens_at=opens_at, closes_at=closes_at,
                duration_minutes=90, created_by="system:seed", **fields)
    db.session.add(exam)
    db.session.flush()
    paper = ExamPaper(exam_id=exam.id, version=1, mode="rules", rules=rules, created_by="system:seed")
    db.session.add(paper)
    db.session.flush()
    exam.current_paper_id = paper.id
    db.session.add(ExamAudience(exam_id=exam.id, kind="unit_tree", value=unit_code))
    commit()
    return exam


def seed_annual_exam(*, now: datetime) -> str:
    """An annual exam open now for the whole bureau (employee and employee2 included), 50 questions."""
    from ..models import Exam
    from . import exams

    title = f"{now.year}年度法治理论知识考试"
    exam = db.session.execute(select(Exam).where(Exam.title == title)).scalar_one_or_none()
    if exam is not None:
        if exam.closes_at <= now + timedelta(days=7):   # keep the demo's exam open
            exam.closes_at = now + timedelta(days=60)
            db.session.commit()
        return f"annual exam: {title} (open until {exam.closes_at:%Y-%m-%d})"
    exam = draft_annual_exam(title, now.year, now - timedelta(days=1), now + timedelta(days=60), ANNUAL_RULES, "GXJ")
    try:
        exams.publish(SystemActor(username="system:seed"), exam.id, now=now)
    except ValidationError as e:
        db.session.rollback()
        return f"annual exam {title} left as a draft: {e}"
    return f"annual exam: {title} published, open until {exam.closes_at:%Y-%m-%d}"


def seed_notifications(*, now: datetime) -> str:
    """A couple of messages for `employee`, so the demo's notification centre is not empty (stored once)."""
    from ..models import Exam
    from . import notifications
    from .reminders import exam_link, local_time, path_for

    employee = db.session.execute(select(User).where(User.username == "employee")).scalar_one_or_none()
    if employee is None:
        return "notifications: no demo employee"
    actor = SystemActor(username="system:seed")
    exam = db.session.execute(select(Exam).where(Exam.status == "published", Exam.kind == "annual",
                                                 Exam.title == f"{now.year}年度法治理论知识考试")).scalar_one_or_none()
    sent = notifications.notify_many(
        [employee.id], "demo:welcome", "info", "欢迎使用消息中心",
        "考试提醒和补考通知会显示在这里；管理员为您填写邮箱并配置邮件服务器后，也会同时发送邮件。",
        path_for("exams.mine"), now - timedelta(minutes=5), actor=actor)
    if exam is not None:
        sent += notifications.notify_many(
            [employee.id], f"demo:exam:{exam.id}:open", "exam_open", "考试已开始",
            f"《{exam.title}》已开放，{local_time(exam.closes_at)} 截止，请按时参加。", exam_link(exam.id), now,
            actor=actor, object_type="exam", object_id=exam.id)
    return f"notifications: {sent} created for employee this run"


# username, type, state, issued (days before today), then the later events as (kind, days before today, reason)
DEMO_CERTIFICATES = [
    ("employee", "ENFORCEMENT", "valid", 800, [("review", 430, "年度审验合格"), ("review", 70, "年度审验合格")]),
    ("gx0301", "ENFORCEMENT", "valid", 400, []),
    ("gx0302", "ENFORCEMENT", "valid", 5 * 365 + 1 - 60, [("review", 300, "年度审验合格")]),     # expires in ~60 days
    ("gx0303", "ENFORCEMENT", "expired", 5 * 365 + 21, [("expire", 20, "有效期届满")]),
    ("gx0304", "ENFORCEMENT", "suspended", 600, [("suspend", 30, "涉嫌违规执法，暂扣证件接受调查")]),
    ("zs0102", "ENFORCEMENT", "revoked", 900, [("suspend", 120, "执法过程中存在严重违法行为"),
                                              ("revoke", 90, "经调查属实，依规吊销执法证件")]),
    ("zs0103", "ENFORCEMENT", "cancelled", 1000, [("cancel", 60, "调离执法岗位")]),
    ("zs0104", "ENFORCEMENT", "recalled", 700, [("recall", 15, "借调外单位，暂不从事执法工作")]),
    ("zs0302", "ENFORCEMENT", "valid", 200, []),
    ("ll0201", "ENFORCEMENT", "valid", 500, [("review", 140, "年度审验合格")]),
    ("ll0202", "ENFORCEMENT", "valid", 5 * 365 + 1 - 25, []),                                # expires in ~25 days
    ("admin", "SUPERVISION", "valid", 650, [("review", 280, "年度审验合格")]),
    ("gx0201", "SUPERVISION", "valid", 300, []),
    ("ls0106", "SUPERVISION", "expired", 5 * 365 + 46, [("expire", 45, "有效期届满")]),
]
DEMO_AREAS = {"GXJ-WXD": "无线电管理", "ZS-JCZ": "无线电监测", "ZS-JNJC": "节能监察", "QX-LL-GY": "工业和信息化行政执法",
              "GXJ-ZCFG": "行政执法监督", "QX-LST-ZH": "行政执法监督"}


def seed_certificates(*, now: datetime) -> int:
    """Certificates in every state (valid, expiring, expired, suspended, revoked, cancelled, recalled), each
    with its history; numbers from the pattern. A person who already holds one of the type is left alone."""
    from ..domain import certificates as rules
    from ..models import Certificate, CertificateEvent
    from . import certificates, settings
    from .practice import local_day

    today = local_day(now)
    actor = SystemActor(username="system:seed")
    begin_write()
    people = {u.username: u for u in db.session.scalars(
        select(User).where(User.username.in_([spec[0] for spec in DEMO_CERTIFICATES])))}
    held = set(db.session.execute(select(Certificate.holder_id, Certificate.type)))
    validity = settings.get("cert.validity_years")
    created = 0
    for username, cert_type, status, issued_ago, history in DEMO_CERTIFICATES:
        holder = people.get(username)
        if holder is None or (holder.id, cert_type) in held:
            continue
        issued_on = today - timedelta(days=issued_ago)
        cert = Certificate(type=cert_type, number=certificates.next_number(cert_type, holder.unit.code, issued_on),
                           holder_id=holder.id, unit_id=holder.unit_id, authority=settings.get("cert.authority"),
                           area=DEMO_AREAS.get(holder.unit.code, "工业和信息化行政执法"), issued_on=issued_on,
                           expires_on=rules.expires_on(issued_on, validity), status=status,
                           evidence={"hours": 48.0, "min_hours": 40, "window_months": 12, "on_post": True,
                                     "post": True, "attempts": [], "via": "seed-demo"}, created_at=now)
        db.session.add(cert)
        db.session.flush()
        events = [("issue", issued_ago, "")] + history
        for kind, ago, reason in events:
            on = cert.expires_on + timedelta(days=1) if kind == "expire" else today - timedelta(days=ago)
            db.session.add(CertificateEvent(certificate_id=cert.id, kind=kind, on=on, reason=reason,
                                            actor="system:scheduler" if kind == "expire" else "admin",
                                            data={"number": cert.number} if kind == "issue" else {},
                                            at=datetime.combine(on, now.time())))
            if kind == "review":
                cert.last_review_on = on
        audit.record("certificate.issue", actor=actor, now=now, object_type="certificate", object_id=cert.id,
                     data={"number": cert.number, "holder": username, "type": cert_type, "status": status,
                           "issued_on": issued_on.isoformat(), "events": [e[0] for e in events], "via": "seed-demo"})
        created += 1
    commit()
    return created
