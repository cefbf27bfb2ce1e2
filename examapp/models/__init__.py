"""SQLAlchemy models, split by aggregate. No commits and no request access here."""
from . import search_ddl  # noqa: F401,E402  (search indexes and their DDL)
from .approval import Approval
from .audit import AuditEvent, AuditHead
from .certificate import Certificate, CertificateApplication, CertificateEvent, NumberSequence
from .course import Course, CourseAudience, Lesson, StudyPlan, StudyRecord, StudySession
from .exam import (
                   Answer,
                   Attempt,
                   Exam,
                   ExamAudience,
                   ExamOverride,
                   ExamPaper,
                   IntegrityEvent,
                   KeyCorrection,
                   ManualGrade,
)
from .law import Article, Law, LawPart, LawVersion
from .notification import Notification
from .org import OrgUnit
from .practice import MockExam, NotebookEntry, PracticeAnswer, PracticeCursor
from .question import Question, QuestionArticle, QuestionVersion
from .report import EXEMPTION_REASONS, Exemption, ReportSnapshot
from .scheduler import SchedulerLease
from .setting import Setting
from .user import LoginFailure, User, UserRole

__all__ = ["Answer", "Approval", "Article", "Attempt", "AuditEvent", "AuditHead", "Certificate",
           "CertificateApplication", "CertificateEvent", "Course", "CourseAudience", "Exam", "ExamAudience",
           "ExamOverride", "ExamPaper", "EXEMPTION_REASONS", "Exemption", "IntegrityEvent", "KeyCorrection", "Law", "LawPart", "LawVersion", "Lesson",
           "LoginFailure", "ManualGrade", "MockExam", "Notification", "NotebookEntry", "NumberSequence", "OrgUnit",
           "PracticeAnswer", "PracticeCursor", "Question", "QuestionArticle", "QuestionVersion", "ReportSnapshot", "SchedulerLease",
           "Setting", "StudyPlan", "StudyRecord", "StudySession", "User", "UserRole"]
