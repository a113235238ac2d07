"""Import every model so that ``Base.metadata`` is complete (migrations, create_all)."""

from insights_lms.assessment.models import SelfRating
from insights_lms.attendance.models import Attendance, ModuleCompletion
from insights_lms.audit.models import AuditRecord
from insights_lms.auth.models import LoginAttempt, User
from insights_lms.coaching.models import EvidenceReview
from insights_lms.cohorts.models import CoachAssignment, Cohort, CohortModule, CohortTask, Enrolment
from insights_lms.competencies.models import (
    Competency,
    Domain,
    Framework,
    Level,
    LevelDescriptor,
    Scale,
)
from insights_lms.context.models import Challenge, ContextChallengeRating, SchoolContext
from insights_lms.evidence.models import Evidence, EvidenceFile
from insights_lms.feedback.models import ModuleFeedback
from insights_lms.feeds.models import CalendarFeed
from insights_lms.programmes.models import Module, ModuleActivity, PracticalTask, Programme
from insights_lms.ratings.models import CompetencyRating
from insights_lms.reminders.models import ReminderSent
from insights_lms.tasks.models import TaskResponse
from insights_lms.xapi.models import XapiStatement

__all__ = [
    "Attendance",
    "AuditRecord",
    "CalendarFeed",
    "Challenge",
    "CoachAssignment",
    "Cohort",
    "CohortModule",
    "CohortTask",
    "Competency",
    "CompetencyRating",
    "ContextChallengeRating",
    "Domain",
    "Enrolment",
    "Evidence",
    "EvidenceFile",
    "EvidenceReview",
    "Framework",
    "Level",
    "LevelDescriptor",
    "LoginAttempt",
    "Module",
    "ModuleActivity",
    "ModuleCompletion",
    "ModuleFeedback",
    "PracticalTask",
    "Programme",
    "ReminderSent",
    "Scale",
    "SchoolContext",
    "SelfRating",
    "TaskResponse",
    "User",
    "XapiStatement",
]
