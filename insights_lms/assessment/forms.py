"""The self-assessment form, built per request for the cohort's framework: when the
participant is rating themself, then a level and a comment per competency (see
:mod:`insights_lms.competencies.forms`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from wtforms import Field, SelectChoice, SelectField
from wtforms.validators import InputRequired

from insights_lms.assessment.models import COMMENT_MAX
from insights_lms.assessment.services import Occasion
from insights_lms.competencies.forms import CompetencyLevelsForm, add_level_fields, level_name
from insights_lms.competencies.models import Competency, Level

__all__ = ["SelfAssessmentForm", "level_name", "self_assessment_form"]


class SelfAssessmentForm(CompetencyLevelsForm):
    text_name: ClassVar[str] = "comment"

    occasion = SelectField(
        "When are you rating yourself?",
        validators=[InputRequired("Choose when you are rating yourself.")],
        invalid_choice_message="Choose one of the occasions listed.",
    )

    def comment(self, competency: Competency) -> Field:
        return self.text(competency)


def self_assessment_form(
    competencies: Sequence[Competency],
    levels: Sequence[Level],
    occasions: Sequence[Occasion],
    data: Mapping[str, Any] | None = None,
) -> SelfAssessmentForm:
    """The form for these competencies and levels; ``data`` pre-fills it (on GET only)."""
    form_class = add_level_fields(
        SelfAssessmentForm,
        competencies,
        levels,
        text_label="Your comment on {code} (optional)",
        text_max=COMMENT_MAX,
    )
    form = form_class(data=data) if data is not None else form_class()
    form.competencies = competencies
    form.occasion.choices = [SelectChoice(o.key, o.label) for o in occasions]
    return form
