"""Import every model so that ``Base.metadata`` is complete (migrations, create_all)."""

from insights_lms.assessment.models import SelfRating
from insights_lms.attendance.models import Attendance, ModuleCompletion
from insights_lms.audit.models import AuditRecord
from insights_lms.auth.models import LoginAttempt, User
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
from insights_lms.conversations.models import (
    ActionUpdate,
    AgreedAction,
    Conversation,
    ConversationFocus,
    Preparation,
    PrivateNote,
)
from insights_lms.enrolment.models import InviteToken
from insights_lms.evidence.models import Evidence, EvidenceFile, EvidenceReview
from insights_lms.feedback.models import ModuleFeedback
from insights_lms.feeds.models import CalendarFeed
from insights_lms.lrs_api.models import XapiClient
from insights_lms.matching.models import (
    CoachContextExperience,
    CoachPhase,
    CoachProfile,
    CoachStrength,
)
from insights_lms.peer.models import CaseStudy, ChallengeContribution, GoldfishChallenge
from insights_lms.programmes.models import Module, ModuleActivity, PracticalTask, Programme
from insights_lms.ratings.models import CompetencyRating
from insights_lms.reminders.models import ReminderSent
from insights_lms.tasks.models import TaskResponse
from insights_lms.xapi.models import XapiForwarderState, XapiStatement

__all__ = [
    "ActionUpdate",
    "AgreedAction",
    "Attendance",
    "AuditRecord",
    "CalendarFeed",
    "CaseStudy",
    "Challenge",
    "ChallengeContribution",
    "CoachAssignment",
    "CoachContextExperience",
    "CoachPhase",
    "CoachProfile",
    "CoachStrength",
    "Cohort",
    "CohortModule",
    "CohortTask",
    "Competency",
    "CompetencyRating",
    "ContextChallengeRating",
    "Conversation",
    "ConversationFocus",
    "Domain",
    "Enrolment",
    "Evidence",
    "EvidenceFile",
    "EvidenceReview",
    "Framework",
    "GoldfishChallenge",
    "InviteToken",
    "Level",
    "LevelDescriptor",
    "LoginAttempt",
    "Module",
    "ModuleActivity",
    "ModuleCompletion",
    "ModuleFeedback",
    "PracticalTask",
    "Preparation",
    "PrivateNote",
    "Programme",
    "ReminderSent",
    "Scale",
    "SchoolContext",
    "SelfRating",
    "TaskResponse",
    "User",
    "XapiClient",
    "XapiForwarderState",
    "XapiStatement",
]
