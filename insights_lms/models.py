"""Import every model so that ``Base.metadata`` is complete (migrations, create_all)."""

# Feature packages register their models on Base when imported.
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
from insights_lms.programmes.models import Module, ModuleActivity, PracticalTask, Programme

__all__ = [
    "CoachAssignment",
    "Cohort",
    "CohortModule",
    "CohortTask",
    "Competency",
    "Domain",
    "Enrolment",
    "Framework",
    "Level",
    "LevelDescriptor",
    "LoginAttempt",
    "Module",
    "ModuleActivity",
    "PracticalTask",
    "Programme",
    "Scale",
    "User",
]
