"""Enumerations shared by models, forms and content schemas."""

from __future__ import annotations

import enum

import sqlalchemy as sa


class StrEnum(enum.StrEnum):
    """A string enum whose values are what the database and YAML hold."""

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls]


class SchoolPhase(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
    SPECIAL = "special"
    ALL_THROUGH = "all_through"


class ModuleKind(StrEnum):
    LAUNCH = "launch"
    WORKSHOP = "workshop"
    CELEBRATION = "celebration"
    STUDY_VISIT = "study_visit"


class ActivityKind(StrEnum):
    EXPERT_INPUT = "expert_input"
    LEADERSHIP_PROVOCATION = "leadership_provocation"
    GOLDFISH_BOWL = "goldfish_bowl"
    VIRTUAL_STUDY_VISIT = "virtual_study_visit"
    STUDY_VISIT = "study_visit"
    PEER_LEARNING = "peer_learning"
    REFLECTION = "reflection"
    NETWORKING = "networking"


class CohortRole(StrEnum):
    PARTICIPANT = "participant"
    COACH = "coach"
    FACILITATOR = "facilitator"


def enum_column(enum_cls: type[StrEnum]) -> sa.Enum:
    """A portable (non-native) enum column storing the member values, with a CHECK."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        name=enum_cls.__name__.lower(),
        validate_strings=True,
    )
