from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import created_at as stamp


class Law(db.Model):
    """A law by its code (the file stem: constitution, civil_code, …); its text lives in versions."""

    __tablename__ = "law"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("law_version.id", use_alter=True, name="fk_law_current_version_id_law_version"))
    created_at: Mapped[datetime] = stamp()

    current_version: Mapped["LawVersion | None"] = relationship(foreign_keys=[current_version_id], post_update=True)


class LawVersion(db.Model):
    """One imported text of a law. Re-importing a changed text adds a version; old ones stay."""

    __tablename__ = "law_version"
    __table_args__ = (UniqueConstraint("law_id", "version", name="uq_law_version_law_id_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    law_id: Mapped[int] = mapped_column(ForeignKey("law.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    meta: Mapped[list] = mapped_column(JSON, default=list)        # the dates and notes before the body
    sha256: Mapped[str] = mapped_column(String(64))
    source_name: Mapped[str] = mapped_column(String(200), default="")
    article_count: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    imported_by: Mapped[str] = mapped_column(String(64), default="")

    law: Mapped[Law] = relationship(foreign_keys=[law_id])


class LawPart(db.Model):
    """编 / 分编 / 章 / 节 (and named parts such as 序言) in reading order."""

    __tablename__ = "law_part"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("law_version.id", ondelete="CASCADE"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    level: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    number: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("law_part.id"))
    intro: Mapped[str] = mapped_column(Text, default="")


class Article(db.Model):
    __tablename__ = "article"
    __table_args__ = (
        UniqueConstraint("version_id", "number", name="uq_article_version_id_number"),
        Index("ix_article_version_part", "version_id", "part_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("law_version.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(40))            # 第一千二百六十条
    part_id: Mapped[int | None] = mapped_column(ForeignKey("law_part.id"))
    text: Mapped[str] = mapped_column(Text)                    # paragraphs (款) separated by newlines

    @property
    def paragraphs(self) -> list[str]:
        return self.text.split("\n") if self.text else []
