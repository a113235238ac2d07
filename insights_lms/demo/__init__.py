"""The demo: a cohort placed mid-programme so every page has something to show, its activity
(evidence, conversations, matching, peer learning), last year's finished cohort and a Statement
API client. Every demo builder lives in this package."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from insights_lms.auth.models import PASSWORD_METHOD, User
from insights_lms.auth.services import create_user
from insights_lms.cohorts import services as cohorts
from insights_lms.cohorts.models import Cohort
from insights_lms.db import utcnow
from insights_lms.demo.activity import add_activity
from insights_lms.demo.alumni import add_finished_cohort
from insights_lms.demo.lrs_client import add_demo_client
from insights_lms.enums import CohortRole, SchoolPhase
from insights_lms.programmes.models import Programme
from insights_lms.storage import Uploads
from insights_lms.timeutil import shift_local

DEMO_PASSWORD = "insights-demo"  # noqa: S105 - the documented demo login, demo data only
DEMO_COHORT = "demo-cohort"
# The demo cohort is "now" this far into the practical task after this module.
CURRENT_MODULE_INDEX = 3


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    role: CohortRole
    school: str
    phase: SchoolPhase | None
    role_in_school: str
    coach: str | None = None


PEOPLE = [
    DemoPerson(
        "facilitator@example.org",
        "Farah Begum",
        CohortRole.FACILITATOR,
        "Tower Hamlets Education Partnership",
        None,
        "Programme lead",
    ),
    DemoPerson(
        "coach1@example.org",
        "Helen Okafor",
        CohortRole.COACH,
        "Former headteacher, Riverside Secondary",
        SchoolPhase.SECONDARY,
        "Leadership coach",
    ),
    DemoPerson(
        "coach2@example.org",
        "Marcus Reid",
        CohortRole.COACH,
        "Former headteacher, Canal Side Primary",
        SchoolPhase.PRIMARY,
        "Leadership coach",
    ),
    DemoPerson(
        "participant1@example.org",
        "Amina Rahman",
        CohortRole.PARTICIPANT,
        "Limehouse Fields Primary School",
        SchoolPhase.PRIMARY,
        "Deputy headteacher",
        coach="coach2@example.org",
    ),
    DemoPerson(
        "participant2@example.org",
        "Tom Hughes",
        CohortRole.PARTICIPANT,
        "Stepney Green Primary School",
        SchoolPhase.PRIMARY,
        "Headteacher",
        coach="coach2@example.org",
    ),
    DemoPerson(
        "participant3@example.org",
        "Priya Shah",
        CohortRole.PARTICIPANT,
        "Mile End Park Academy",
        SchoolPhase.SECONDARY,
        "Deputy headteacher",
        coach="coach1@example.org",
    ),
    DemoPerson(
        "participant4@example.org",
        "Daniel Osei",
        CohortRole.PARTICIPANT,
        "Poplar Riverside School",
        SchoolPhase.SECONDARY,
        "Headteacher",
        coach="coach1@example.org",
    ),
    DemoPerson(
        "participant5@example.org",
        "Grace Adeyemi",
        CohortRole.PARTICIPANT,
        "Bromley Hall Special School",
        SchoolPhase.SPECIAL,
        "Headteacher",
        coach="coach1@example.org",
    ),
    DemoPerson(
        "participant6@example.org",
        "Sam Whitfield",
        CohortRole.PARTICIPANT,
        "Cubitt Town Special School",
        SchoolPhase.SPECIAL,
        "Deputy headteacher",
    ),
]


class DemoError(RuntimeError):
    pass


@cache
def _demo_password_hash() -> str:
    """Nine logins share one documented password: hash it once (scrypt is slow on purpose)."""
    return generate_password_hash(DEMO_PASSWORD, method=PASSWORD_METHOD)


def mid_programme_start(programme: Programme, now: dt.datetime) -> dt.datetime:
    """A first-module date that puts ``now`` about a third of the way through the practical
    task after module ``CURRENT_MODULE_INDEX``, keeping weekdays (the shift is whole weeks)."""
    modules = programme.modules
    if len(modules) < CURRENT_MODULE_INDEX + 2:
        raise DemoError("The demo needs a programme with at least five modules.")
    ended, following = modules[CURRENT_MODULE_INDEX], modules[CURRENT_MODULE_INDEX + 1]
    anchor = ended.planned_end + (following.planned_start - ended.planned_end) / 3
    weeks = round((now - anchor) / dt.timedelta(weeks=1))
    return shift_local(modules[0].planned_start, weeks * 7, ZoneInfo(programme.time_zone))


def build_demo(
    session: Session,
    programme_code: str | None = None,
    now: dt.datetime | None = None,
    *,
    activity: bool = False,
    uploads: Uploads | None = None,
) -> tuple[Cohort, bool]:
    """Create the demo users and cohort if missing; returns (cohort, created).

    With ``activity`` a new demo cohort also gets what its participants have done so far
    (registers, reflections, self-ratings, evidence — with files if ``uploads`` is given —
    and a submitted practical task).
    """
    now = now or utcnow()
    query = sa.select(Programme).order_by(Programme.id)
    if programme_code:
        query = query.where(Programme.code == programme_code)
    programme = session.scalars(query).first()
    if programme is None:
        raise DemoError(
            "No programme is loaded: run `flask --app insights_lms lms load-content` first."
        )
    users: dict[str, User] = {}
    for person in PEOPLE:
        user = session.scalar(sa.select(User).where(User.email == person.email))
        if user is None:
            user = create_user(
                session,
                email=person.email,
                name=person.name,
                password=DEMO_PASSWORD,
                school=person.school,
                school_phase=person.phase,
                role_in_school=person.role_in_school,
                password_hash=_demo_password_hash(),
            )
        users[person.email] = user
    cohort = session.scalar(sa.select(Cohort).where(Cohort.code == DEMO_COHORT))
    created = cohort is None
    if cohort is None:
        cohort = cohorts.create_cohort(
            session,
            programme,
            DEMO_COHORT,
            f"{programme.title} demo cohort",
            first_module_start=mid_programme_start(programme, now),
        )
    for person in PEOPLE:
        cohorts.enrol(session, cohort, users[person.email], person.role)
    for person in PEOPLE:
        if person.coach and cohorts.coach_of(session, cohort, users[person.email]) is None:
            cohorts.assign_coach(session, cohort, users[person.coach], users[person.email])
    if activity:  # the full demo (``lms demo-data``) also has a Statement API client
        add_demo_client(session)
    if created and activity:
        add_activity(session, cohort, now, uploads)
        first_start = min(cm.starts_at for cm in cohort.cohort_modules)
        add_finished_cohort(session, programme, first_start, DEMO_PASSWORD, _demo_password_hash())
    return cohort, created
