"""The rating form for a coach or a facilitator, built per request for the cohort's framework.

Each competency gets a radio group (``level_<competency id>``) and a note
(``note_<competency id>``). A competency may be left unrated, but at least one must be rated,
and a note needs a level to belong to. ``kind`` says whose rating it is (coach or facilitator)
and offers only what the rater may record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from insights_lms.competencies.models import Competency, Level
from insights_lms.ratings.models import NOTE_MAX, RatingKind

NOTHING_RATED = "Rate at least one competency: choose a level for each competency you want to rate."


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def level_name(competency: Competency) -> str:
    return f"level_{competency.id}"


def note_name(competency: Competency) -> str:
    return f"note_{competency.id}"


def _has_level(field: Field) -> bool:
    """Whether the rater chose (or sent) a level, valid or not."""
    return bool(field.raw_data and field.raw_data[0])


class RatingForm(FlaskForm):
    """Fields common to every framework; :func:`rating_form` adds one group per competency."""

    kind = RadioField(
        "Whose rating is this?",
        validators=[InputRequired("Choose whether you are rating as coach or as facilitator.")],
        invalid_choice_message="Choose one of the roles listed.",
    )

    competencies: Sequence[Competency] = ()

    def level(self, competency: Competency) -> Field:
        return self[level_name(competency)]

    def note(self, competency: Competency) -> Field:
        return self[note_name(competency)]

    def ratings(self) -> dict[int, tuple[int, str]]:
        """Competency id → (level id, note) for every competency given a level."""
        result: dict[int, tuple[int, str]] = {}
        for competency in self.competencies:
            level = self.level(competency)
            if _has_level(level) and level.data is not None:
                result[competency.id] = (int(level.data), self.note(competency).data or "")
        return result

    def validate(self, extra_validators: Mapping[str, Any] | None = None) -> bool:
        valid = super().validate(extra_validators)
        chosen = False
        for competency in self.competencies:
            level, note = self.level(competency), self.note(competency)
            if _has_level(level):
                chosen = True
            elif note.data:
                level.errors.append(f"Choose a level for {competency.code} to keep your note.")
                valid = False
        if not chosen:
            self.form_errors.append(NOTHING_RATED)
            valid = False
        return valid


def rating_form(
    competencies: Sequence[Competency], levels: Sequence[Level], kinds: Sequence[RatingKind]
) -> RatingForm:
    """The form for these competencies, levels and the kinds of rating the rater may record."""
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
        fields[note_name(competency)] = TextAreaField(
            f"Note on {competency.code} (optional)",
            filters=[_strip],
            validators=[
                Length(
                    max=NOTE_MAX,
                    message=(
                        f"Keep the note on {competency.code} to {NOTE_MAX:,} characters or fewer."
                    ),
                )
            ],
            render_kw={"rows": 3, "maxlength": NOTE_MAX},
        )
    form_class = type("RatingFormForFramework", (RatingForm,), fields)
    form: RatingForm = form_class(data={"kind": kinds[0].value} if kinds else None)
    form.competencies = competencies
    form.kind.choices = [SelectChoice(k.value, f"As {k.label.lower()}") for k in kinds]
    return form
