from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import created_at

UNIT_KINDS = ("bureau", "department", "affiliated", "district", "other")


class OrgUnit(db.Model):
    """A unit of the bureau's tree. `path` is the materialized path of ids, e.g. `/1/4/9/`."""

    __tablename__ = "org_unit"
    # `path LIKE 'prefix%'` needs pattern ops on PostgreSQL to use an index under a non-C collation.
    __table_args__ = (Index("ix_org_unit_path_pattern", "path", postgresql_ops={"path": "varchar_pattern_ops"}),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20), default="department")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    path: Mapped[str] = mapped_column(String(400), default="")
    depth: Mapped[int] = mapped_column(Integer, default=0)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = created_at()

    parent: Mapped["OrgUnit | None"] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<OrgUnit {self.code} {self.path}>"
