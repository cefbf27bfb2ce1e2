"""SQLAlchemy models, split by aggregate. No commits and no request access here."""
from . import search_ddl  # noqa: F401,E402  (search indexes and their DDL)
from .audit import AuditEvent, AuditHead
from .exam import Answer, Attempt, Exam, ExamAudience, ExamOverride, ExamPaper, IntegrityEvent
from .law import Article, Law, LawPart, LawVersion
from .org import OrgUnit
from .practice import MockExam, NotebookEntry, PracticeAnswer, PracticeCursor
from .question import Question, QuestionArticle, QuestionVersion
from .scheduler import SchedulerLease
from .user import LoginFailure, User, UserRole

__all__ = ["Answer", "Article", "Attempt", "AuditEvent", "AuditHead", "Exam", "ExamAudience", "ExamOverride",
           "ExamPaper", "IntegrityEvent", "Law", "LawPart", "LawVersion", "LoginFailure", "MockExam",
           "NotebookEntry", "OrgUnit", "PracticeAnswer", "PracticeCursor",
           "Question", "QuestionArticle", "QuestionVersion", "SchedulerLease", "User", "UserRole"]
