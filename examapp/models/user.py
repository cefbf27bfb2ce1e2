from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import created_at
from .org import OrgUnit


class User(db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    position: Mapped[str] = mapped_column(String(80), default="")
    email: Mapped[str] = mapped_column(String(200), default="")     # reminders by e-mail when SMTP is set
    on_post: Mapped[bool] = mapped_column(Boolean, default=True)
    is_enforcement: Mapped[bool] = mapped_column(Boolean, default=False)
    is_supervision: Mapped[bool] = mapped_column(Boolean, default=False)
    is_leader: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped at logout and password change: a copied older session cookie stops working (S8).
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = created_at()

    unit: Mapped[OrgUnit] = relationship(lazy="joined", innerjoin=True)
    roles: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin", order_by="UserRole.role"
    )

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def role_names(self) -> set[str]:
        return {r.role for r in self.roles}

    def has_role(self, *names: str) -> bool:
        return bool(self.role_names.intersection(names))

    def set_roles(self, wanted: dict[str, int | None]) -> None:
        """Make the roles exactly `wanted` (role -> scope unit id), keeping rows that stay:
        deleting and re-adding the same role in one flush would trip the unique constraint."""
        for row in list(self.roles):
            if row.role not in wanted:
                self.roles.remove(row)
            else:
                row.scope_unit_id = wanted[row.role]
        have = {row.role for row in self.roles}
        for role, scope_unit_id in sorted(wanted.items()):
            if role not in have:
                self.roles.append(UserRole(role=role, scope_unit_id=scope_unit_id))

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class UserRole(db.Model):
    """A role a user holds; unit_admin and auditor carry the unit whose subtree they may see."""

    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role", name="uq_user_role_user_id_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    scope_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))

    user: Mapped[User] = relationship(back_populates="roles")
    scope_unit: Mapped[OrgUnit | None] = relationship(lazy="joined")


class LoginFailure(db.Model):
    """One failed login. Counted per account across all workers (S7)."""

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    ip: Mapped[str] = mapped_column(String(64), default="")
