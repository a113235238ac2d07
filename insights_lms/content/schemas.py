"""Typed schemas for the content YAML. Unknown keys are errors, so a typo never goes unseen."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from insights_lms.enums import ActivityKind, ModuleKind

Slug = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=64)
]
Code = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, pattern=r"^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)*$", max_length=32
    ),
]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LevelIn(Strict):
    value: int = Field(ge=1, le=10)
    code: Slug
    title: Title
    description: Text = ""


class ScaleIn(Strict):
    title: Title
    levels: list[LevelIn] = Field(min_length=2, max_length=10)

    @model_validator(mode="after")
    def _ordered(self) -> ScaleIn:
        values = [level.value for level in self.levels]
        if values != sorted(set(values)):
            raise ValueError("levels must be listed in increasing order of value, each value once")
        codes = [level.code for level in self.levels]
        if len(codes) != len(set(codes)):
            raise ValueError("each level code may be used once")
        return self


class CompetencyIn(Strict):
    code: Code
    title: Title
    description: Text = ""
    indicators: list[Text] = []
    levels: dict[int, Text]
    competencies: list[CompetencyIn] = []


class DomainIn(Strict):
    code: Code
    title: Title
    description: Text = ""
    competencies: list[CompetencyIn] = Field(min_length=1)


class FrameworkIn(Strict):
    code: Slug
    title: Title
    version: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
    description: Text = ""
    source: Text = ""
    scale: ScaleIn
    domains: list[DomainIn] = Field(min_length=1)


class ActivityIn(Strict):
    kind: ActivityKind
    title: Title
    description: Text = ""


class ModuleIn(Strict):
    code: Code
    sequence: int = Field(ge=0)
    kind: ModuleKind
    title: Title
    theme: Text = ""
    summary: Text = ""
    objectives: list[Text] = []
    start: dt.datetime
    end: dt.datetime
    location: Text = ""
    competencies: list[Code] = []
    activities: list[ActivityIn] = []

    @field_validator("end")
    @classmethod
    def _ends_after_start(cls, end: dt.datetime, info: ValidationInfo) -> dt.datetime:
        start = info.data.get("start")
        if start is None:
            return end
        if (start.tzinfo is None) != (end.tzinfo is None):
            raise ValueError(
                "start and end must both give a UTC offset or both leave it out "
                "(times without one are in the programme's time zone)"
            )
        if end <= start:
            raise ValueError("end must be after start")
        return end


class TaskIn(Strict):
    code: Code
    after: Code
    title: Title
    instructions: Text = ""
    expected_evidence: Text = ""
    competencies: list[Code] = []
    opens: dt.datetime | None = None
    due: dt.datetime | None = None


class ChallengeIn(Strict):
    """A challenge schools face (child poverty, attendance…), rated in school context profiles."""

    code: Slug
    title: Title
    description: Text = ""


class ProgrammeIn(Strict):
    code: Slug
    title: Title
    framework: Slug
    time_zone: str = "Europe/London"
    description: Text = ""
    #: The fewest days a cohort should leave between one module's end and the next's start
    #: (the spacing that gives participants time to trial the learning in school).
    min_gap_days: int = Field(default=0, ge=0, le=365)
    modules: list[ModuleIn] = Field(min_length=1)
    tasks: list[TaskIn] = []
    challenges: list[ChallengeIn] = []
