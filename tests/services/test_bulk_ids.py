"""Bulk imports take their ids first and insert without RETURNING: the ids must link up, and inserts that
leave the id to the database (the ORM) must go on after them, on SQLite and on PostgreSQL."""
from sqlalchemy import select

from examapp.extensions import db
from examapp.models import AuditEvent, Question, QuestionArticle, QuestionVersion, User, UserRole
from examapp.services import audit, bank, imports, laws, users
from tests.conftest import NOW, make_user

LAW = "测试法\n\n第一章 总则\n\n第一条 为了测试，制定本法。\n第二条 期限为三十日。\n第三条 本法自公布之日起施行。\n"


def bank_text(first: int, n: int) -> str:
    lines = ["law: test_law", "title: 测试法", "questions:"]
    for i in range(first, first + n):
        lines += [f"  - id: tst-{i:04d}", "    type: judge", "    difficulty: 1", f"    stem: 第{i}个判断题。",
                  "    answer: true", f"    articles: [{1 + i % 3}, 3]"]
    return "\n".join(lines) + "\n"


def people(actor, rows: list[str]):
    text = "工号,姓名,单位编码,角色\n" + "".join(r + "\n" for r in rows)
    return imports.run("people", actor, "people.csv", text.encode(), now=NOW, initial_password="Welcome-2026")


def test_imported_people_get_fresh_ids_and_the_orm_goes_on_after_them(world, monkeypatch):
    monkeypatch.setattr(imports, "CREATE_BATCH", 2)     # several batches in one import
    before = db.session.scalar(select(db.func.max(User.id)))
    plan = people(world.admin, [f"n{i},人员{i},A1,学员" + ("、单位管理员" if i == 3 else "") for i in range(5)])
    assert plan.ok and plan.count("create") == 5
    imported = db.session.execute(select(User.id, User.username).where(User.username.like("n%"))
                                  .order_by(User.id)).all()
    assert len({uid for uid, _ in imported}) == 5 and min(uid for uid, _ in imported) > before
    roles = db.session.execute(select(UserRole.user_id, UserRole.role).join(User).where(User.username == "n3")).all()
    assert sorted(r.role for r in roles) == ["employee", "unit_admin"]
    events = db.session.execute(select(AuditEvent.object_id, AuditEvent.data_json)
                                .where(AuditEvent.action == "user.create")).all()
    assert {int(oid) for oid, _ in events} == {uid for uid, _ in imported}
    assert all(f'"username":"{name}"' in data for (uid, name) in imported for oid, data in events if int(oid) == uid)
    # a person created one at a time afterwards, then another import: no id is taken twice
    later = make_user("orm1", world.a1)
    assert later.id > max(uid for uid, _ in imported)
    assert people(world.admin, ["m1,人员m1,A1,学员"]).ok
    last = db.session.scalar(select(User.id).where(User.username == "m1"))
    assert last > later.id
    assert audit.verify().ok
    db.session.commit()
    users_after = db.session.scalar(select(db.func.count()).select_from(User))
    assert users_after == db.session.scalar(select(db.func.count(db.distinct(User.id))))


def test_imported_questions_link_versions_and_articles(app):
    laws.import_law("tester", "test_law.md", LAW.encode(), now=NOW)
    first = bank.import_bank_file("tester", "a.yaml", bank_text(1, 7).encode(), now=NOW)
    assert first.ok and first.created == 7
    second = bank.import_bank_file("tester", "b.yaml", bank_text(8, 3).encode(), now=NOW)
    assert second.ok and second.created == 3
    rows = db.session.execute(select(Question.id, Question.ext_id, QuestionVersion.question_id,
                                     QuestionVersion.stem, QuestionVersion.version)
                              .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)).all()
    assert len(rows) == 10
    for qid, ext_id, version_of, stem, version in rows:
        assert version_of == qid and version == 1 and stem == f"第{int(ext_id[4:])}个判断题。"
    cited = db.session.execute(select(QuestionArticle.question_id, QuestionArticle.article_number)).all()
    by_id = {ext_id: qid for qid, ext_id, *_ in rows}
    assert {(by_id["tst-0004"], 2), (by_id["tst-0004"], 3)} <= set(cited)
    assert len(cited) == sum(len({1 + i % 3, 3}) for i in range(1, 11))
    # a changed question gets its new version through the ORM: the version id goes on after the bulk ones
    changed = bank.import_bank_file("tester", "b.yaml", bank_text(8, 3).replace("第9个判断题", "第9个改过的判断题")
                                    .encode(), now=NOW)
    assert changed.updated == 1
    q9 = db.session.scalar(select(Question).where(Question.ext_id == "tst-0009"))
    assert q9.current.version == 2 and q9.current_version_id > max(
        db.session.scalars(select(QuestionVersion.id).where(QuestionVersion.version == 1)))
    assert audit.verify().ok


def test_users_service_after_an_import(world):
    assert people(world.admin, ["k1,人员k1,A1,学员"]).ok
    created = users.create_user(world.admin, users.PersonInput(username="k2", name="人员k2", unit_id=world.a1.id),
                                password="Welcome-2026-x", now=NOW)
    assert created.id > db.session.scalar(select(User.id).where(User.username == "k1"))
