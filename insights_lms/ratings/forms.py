"""The rating form for a coach or a facilitator, built per request for the cohort's framework:
``kind`` (whose rating it is: coach or facilitator, offering only what the rater may record),
then a level and a note per competency (see :mod:`insights_lms.competencies.forms`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from wtforms import Field, RadioField, SelectChoice
from wtforms.validators import InputRequired

from insights_lms.competencies.forms import CompetencyLevelsForm, add_level_fields
from insights_lms.competencies.models import Competency, Level
from insights_lms.ratings.models import NOTE_MAX, RatingKind


class RatingForm(CompetencyLevelsForm):
    text_name: ClassVar[str] = "note"

    kind = RadioField(
        "Whose rating is this?",
        validators=[InputRequired("Choose whether you are rating as coach or as facilitator.")],
        invalid_choice_message="Choose one of the roles listed.",
    )

    def note(self, competency: Competency) -> Field:
        return self.text(competency)


def rating_form(
    competencies: Sequence[Competency], levels: Sequence[Level], kinds: Sequence[RatingKind]
) -> RatingForm:
    """The form for these competencies, levels and the kinds of rating the rater may record."""
    form_class = add_level_fields(
        RatingForm, competencies, levels, text_label="Note on {code} (optional)", text_max=NOTE_MAX
    )
    form = form_class(data={"kind": kinds[0].value} if kinds else None)
    form.competencies = competencies
    form.kind.choices = [SelectChoice(k.value, f"As {k.label.lower()}") for k in kinds]
    return form
