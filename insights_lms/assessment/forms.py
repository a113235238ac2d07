"""The self-assessment form, built per request for the cohort's framework.

Each competency gets a radio group (``level_<competency id>``, one radio per level of the
scale) and a comment (``comment_<competency id>``). A competency may be left unrated, but at
least one must be rated, and a comment needs a level to belong to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from insights_lms.assessment.models import COMMENT_MAX
from insights_lms.assessment.services import Occasion
from insights_lms.competencies.models import Competency, Level

NOTHING_RATED = "Rate at least one competency: choose a level for each competency you want to rate."


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _has_level(field: Field) -> bool:
    """Whether the participant chose (or sent) a level, valid or not."""
    return bool(field.raw_data and field.raw_data[0])


def level_name(competency: Competency) -> str:
    return f"level_{competency.id}"


def comment_name(competency: Competency) -> str:
    return f"comment_{competency.id}"


class SelfAssessmentForm(FlaskForm):
    """Fields common to every framework; :func:`self_assessment_form` adds the rest."""

    occasion = SelectField(
        "When are you rating yourself?",
        validators=[InputRequired("Choose when you are rating yourself.")],
        invalid_choice_message="Choose one of the occasions listed.",
    )

    competencies: Sequence[Competency] = ()

    def level(self, competency: Competency) -> Field:
        return self[level_name(competency)]

    def comment(self, competency: Competency) -> Field:
        return self[comment_name(competency)]

    def ratings(self) -> dict[int, tuple[int, str]]:
        """Competency id → (level id, comment) for every competency given a level."""
        result: dict[int, tuple[int, str]] = {}
        for competency in self.competencies:
            level = self.level(competency)
            if _has_level(level) and level.data is not None:
                result[competency.id] = (int(level.data), self.comment(competency).data or "")
        return result

    def validate(self, extra_validators: Mapping[str, Any] | None = None) -> bool:
        valid = super().validate(extra_validators)
        chosen = False
        for competency in self.competencies:
            level, comment = self.level(competency), self.comment(competency)
            if _has_level(level):
                chosen = True
            elif comment.data:
                level.errors.append(f"Choose a level for {competency.code} to keep your comment.")
                valid = False
        if not chosen:
            self.form_errors.append(NOTHING_RATED)
            valid = False
        return valid


def self_assessment_form(
    competencies: Sequence[Competency],
    levels: Sequence[Level],
    occasions: Sequence[Occasion],
    data: Mapping[str, Any] | None = None,
) -> SelfAssessmentForm:
    """The form for these competencies and levels; ``data`` pre-fills it (on GET only)."""
    fields: dict[str, Field] = {}
    choices = [SelectChoice(str(level.id), f"{level.value} {level.title}") for level in levels]
    for competency in competencies:
        fields[level_name(competency)] = RadioField(
            f"{competency.code} {competency.title}",
            coerce=int,
            choices=choices,
            validators=[Optional()],
            invalid_value_message=f"Choose one of the levels for {competency.code}.",
            invalid_choice_message=f"Choose one of the levels for {competency.code}.",
        )
        fields[comment_name(competency)] = TextAreaField(
            f"Your comment on {competency.code} (optional)",
            filters=[_strip],
            validators=[
                Length(
                    max=COMMENT_MAX,
                    message=(
                        f"Keep your comment on {competency.code} to {COMMENT_MAX:,} "
                        "characters or fewer."
                    ),
                )
            ],
            render_kw={"rows": 3, "maxlength": COMMENT_MAX},
        )
    form_class = type("SelfAssessmentFormForFramework", (SelfAssessmentForm,), fields)
    form: SelfAssessmentForm = form_class(data=data) if data is not None else form_class()
    form.competencies = competencies
    form.occasion.choices = [SelectChoice(o.key, o.label) for o in occasions]
    return form
