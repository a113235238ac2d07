"""The verbs, activity types and attachment usage types of the Insights LMS xAPI profile.

Everything here comes from a published vocabulary, so that any LRS or dashboard already knows
it; ``docs/xapi.md`` says why each one was chosen. Only the extensions are our own: their IRIs
sit under the deployment's base IRI (``INSIGHTS_XAPI_BASE_IRI``), see :class:`Extensions`.
"""

from __future__ import annotations

from dataclasses import dataclass

import tincan

#: The language of every name, description and display in the statements.
LANGUAGE = "en-GB"


@dataclass(frozen=True)
class VerbTerm:
    """A verb: its IRI and how it reads (``display``)."""

    iri: str
    display: str

    def as_tincan(self) -> tincan.Verb:
        return tincan.Verb(id=self.iri, display=tincan.LanguageMap({LANGUAGE: self.display}))


@dataclass(frozen=True)
class ActivityTypeTerm:
    """An activity type: its IRI and a human name for documentation."""

    iri: str
    name: str


class ADLVerbs:
    """ADL's verbs (http://adlnet.gov/expapi/verbs/), the core xAPI vocabulary."""

    COMPLETED = VerbTerm("http://adlnet.gov/expapi/verbs/completed", "completed")
    ATTENDED = VerbTerm("http://adlnet.gov/expapi/verbs/attended", "attended")
    SCORED = VerbTerm("http://adlnet.gov/expapi/verbs/scored", "scored")
    VOIDED = VerbTerm("http://adlnet.gov/expapi/verbs/voided", "voided")
    ASKED = VerbTerm("http://adlnet.gov/expapi/verbs/asked", "asked")
    COMMENTED = VerbTerm("http://adlnet.gov/expapi/verbs/commented", "commented")
    SHARED = VerbTerm("http://adlnet.gov/expapi/verbs/shared", "shared")


class ActivityStreamsVerbs:
    """Activity Streams 1.0 verbs, as published in ADL's Activity Streams xAPI profile."""

    SUBMIT = VerbTerm("http://activitystrea.ms/submit", "submitted")
    CREATE = VerbTerm("http://activitystrea.ms/create", "created")
    UPDATE = VerbTerm("http://activitystrea.ms/update", "updated")
    POST = VerbTerm("http://activitystrea.ms/post", "posted")
    RESOLVE = VerbTerm("http://activitystrea.ms/resolve", "resolved")
    ACKNOWLEDGE = VerbTerm("http://activitystrea.ms/acknowledge", "acknowledged")
    AGREE = VerbTerm("http://activitystrea.ms/agree", "agreed")


class TinCanVerbs:
    """The Tin Can registry's verbs (http://id.tincanapi.com/verb/)."""

    #: "Indicates that the actor has reviewed the object" (a coach reviewing evidence).
    REVIEWED = VerbTerm("http://id.tincanapi.com/verb/reviewed", "reviewed")


class TLAVerbs:
    """Verbs of the ADL learner-competency (TLA) profile (https://w3id.org/xapi/tla)."""

    #: A competency level reached (the level agreed in a developmental conversation).
    ACHIEVED = VerbTerm("https://w3id.org/xapi/tla/verbs/achieved", "achieved")


class ADLActivityTypes:
    """ADL's activity types (http://adlnet.gov/expapi/activities/)."""

    COURSE = ActivityTypeTerm("http://adlnet.gov/expapi/activities/course", "course")
    MODULE = ActivityTypeTerm("http://adlnet.gov/expapi/activities/module", "module")
    PERFORMANCE = ActivityTypeTerm("http://adlnet.gov/expapi/activities/performance", "performance")
    MEETING = ActivityTypeTerm("http://adlnet.gov/expapi/activities/meeting", "meeting")


class ActivityStreamsActivityTypes:
    """Activity Streams 1.0 object types, as published in ADL's Activity Streams profile."""

    GROUP = ActivityTypeTerm("http://activitystrea.ms/group", "group")
    ARTICLE = ActivityTypeTerm("http://activitystrea.ms/article", "article")


class TLAActivityTypes:
    """The ADL Total Learning Architecture profile (https://w3id.org/xapi/tla)."""

    COMPETENCY = ActivityTypeTerm(
        "https://w3id.org/xapi/tla/activity-types/competency", "competency"
    )


class TinCanActivityTypes:
    """The Tin Can registry's activity types (http://id.tincanapi.com/activitytype/)."""

    #: "An ongoing conversation between persons, such as an email thread or a forum topic"
    #: (a goldfish-bowl challenge: set out by its owner, worked on by peers).
    DISCUSSION = ActivityTypeTerm("http://id.tincanapi.com/activitytype/discussion", "discussion")


class TinCanAttachmentUsage:
    """Attachment usage types of the Tin Can registry (http://id.tincanapi.com/attachment/)."""

    SUPPORTING_MEDIA = "http://id.tincanapi.com/attachment/supporting_media"


class Extensions:
    """Our own extensions: paths under ``{base IRI}xapi/extensions/``.

    No published vocabulary has these notions; an extension IRI must be one its author
    controls, and the deployment controls its base IRI.
    """

    #: Context: when in the programme a self-assessment was made (start, after_module, end).
    OCCASION = "occasion"
    #: Context: how the participant was marked in the register (present, late).
    ATTENDANCE_STATUS = "attendance-status"
    #: Context: the day the evidence happened (ISO date), as the participant gave it.
    OCCURRED_ON = "occurred-on"
    #: Result: the level chosen, ``{"value": 2, "code": "developing", "title": "Developing"}``.
    LEVEL = "level"
    #: Result: the evidence IRIs attached to a task response.
    EVIDENCE = "evidence"

    @staticmethod
    def iri(base_iri: str, name: str) -> str:
        return f"{base_iri}xapi/extensions/{name}"


#: Every verb the profile uses (for documentation and tests).
ALL_VERBS = (
    ADLVerbs.COMPLETED,
    ADLVerbs.ATTENDED,
    ADLVerbs.SCORED,
    ADLVerbs.VOIDED,
    ActivityStreamsVerbs.SUBMIT,
    ActivityStreamsVerbs.CREATE,
    ActivityStreamsVerbs.UPDATE,
    ADLVerbs.ASKED,
    ADLVerbs.COMMENTED,
    ADLVerbs.SHARED,
    ActivityStreamsVerbs.POST,
    ActivityStreamsVerbs.RESOLVE,
    ActivityStreamsVerbs.ACKNOWLEDGE,
    ActivityStreamsVerbs.AGREE,
    TinCanVerbs.REVIEWED,
    TLAVerbs.ACHIEVED,
)

#: Every activity type the profile uses.
ALL_ACTIVITY_TYPES = (
    ADLActivityTypes.COURSE,
    ADLActivityTypes.MODULE,
    ADLActivityTypes.PERFORMANCE,
    ADLActivityTypes.MEETING,
    ActivityStreamsActivityTypes.GROUP,
    ActivityStreamsActivityTypes.ARTICLE,
    TLAActivityTypes.COMPETENCY,
    TinCanActivityTypes.DISCUSSION,
)
