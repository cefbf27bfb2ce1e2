"""SQLAlchemy models, split by aggregate. No commits and no request access here."""
from .audit import AuditEvent, AuditHead
from .org import OrgUnit
from .user import LoginFailure, User, UserRole

__all__ = ["AuditEvent", "AuditHead", "LoginFailure", "OrgUnit", "User", "UserRole"]
