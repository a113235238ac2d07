"""The school context form: phase, size, notes, and a weight for each programme challenge.

The challenges come from the programme content, so the form class is built per request
with a radio group and a comment box for each one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    Field,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, StopValidation
from wtforms.widgets import TextInput

from insights_lms.context.models import (
    COMMENT_MAX,
    NOTES_MAX,
    PUPILS_MAX,
    PUPILS_MIN,
    STAFF_MAX,
    STAFF_MIN,
    WEIGHTS,
    SchoolChallenge,
)
from insights_lms.enums import SchoolPhase

_WEIGHT_CHOICES = [SelectChoice(str(value), label) for value, label in WEIGHTS.items()]


class WholeNumberField(IntegerField):
    """A whole number typed as text, with one clear message for text such as "lots".

    A text input (``inputmode="numeric"``) rather than ``type="number"``, so that what the
    user typed is shown back to them when it is refused.
    """

    widget = TextInput()

    def __init__(self, label: str, *, not_a_number: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.not_a_number = not_a_number

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or valuelist[0].strip() == "":
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip().replace(",", ""))
        except ValueError:
            self.data = None
            raise ValueError(self.not_a_number) from None

    def pre_validate(self, form: Any) -> None:
        # Text that is not a number has its message already; a range check would only add
        # a second, confusing one.
        if self.process_errors:
            raise StopValidation()


class ContextFormBase(FlaskForm):
    phase = SelectField(
        "Phase of your school",
        choices=[
            SelectChoice("", "Choose a phase"),
            *(SelectChoice(value, label) for value, label in SchoolPhase.choices()),
        ],
        validators=[InputRequired("Choose your school's phase.")],
    )
    pupils = WholeNumberField(
        "Number of pupils",
        not_a_number="Enter the number of pupils as a whole number, for example 420.",
        validators=[
            Optional(),
            NumberRange(
                PUPILS_MIN,
                PUPILS_MAX,
                f"Enter a number of pupils between {PUPILS_MIN:,} and {PUPILS_MAX:,}.",
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )
    staff = WholeNumberField(
        "Number of staff",
        not_a_number="Enter the number of staff as a whole number, for example 45.",
        validators=[
            Optional(),
            NumberRange(
                STAFF_MIN,
                STAFF_MAX,
                f"Enter a number of staff between {STAFF_MIN:,} and {STAFF_MAX:,}.",
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )
    notes = TextAreaField(
        "What makes your school's context distinctive",
        validators=[
            Length(
                max=NOTES_MAX,
                message=f"Keep this to {NOTES_MAX:,} characters.",
            )
        ],
        render_kw={"rows": 5},
    )
    submit = SubmitField("Save my school context")

    challenges: Sequence[SchoolChallenge] = ()

    def weight_field(self, challenge: SchoolChallenge) -> Field:
        return self[f"weight_{challenge.id}"]

    def comment_field(self, challenge: SchoolChallenge) -> Field:
        return self[f"comment_{challenge.id}"]

    def summary_label(self, name: str) -> str:
        """How the error summary names a field: comments by their challenge."""
        for challenge in self.challenges:
            if name == f"comment_{challenge.id}":
                return f"Comment on {challenge.title}"
        return str(self[name].label.text)

    def weights(self) -> dict[int, tuple[int, str]]:
        """``{challenge id: (weight, comment)}`` for the challenges given a weight."""
        return {
            c.id: (self.weight_field(c).data, self.comment_field(c).data or "")
            for c in self.challenges
            if self.weight_field(c).data is not None
        }

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for challenge in self.challenges:
            comment = self.comment_field(challenge)
            if (comment.data or "").strip() and self.weight_field(challenge).data is None:
                comment.errors = [
                    *comment.errors,
                    f"Choose a weight for {challenge.title} to save a comment on it.",
                ]
                valid = False
        return valid


def context_form(challenges: Sequence[SchoolChallenge], **kwargs: Any) -> ContextFormBase:
    """The form for these challenges (``kwargs`` as for ``FlaskForm``, e.g. ``data=``)."""

    class ContextForm(ContextFormBase):
        pass

    for challenge in challenges:
        setattr(
            ContextForm,
            f"weight_{challenge.id}",
            RadioField(
                challenge.title,
                choices=_WEIGHT_CHOICES,
                coerce=int,
                validators=[Optional()],
            ),
        )
        setattr(
            ContextForm,
            f"comment_{challenge.id}",
            TextAreaField(
                "Comment (optional)",
                validators=[
                    Length(
                        max=COMMENT_MAX,
                        message=f"Keep this comment to {COMMENT_MAX:,} characters.",
                    )
                ],
                render_kw={"rows": 2},
            ),
        )
    form = ContextForm(**kwargs)
    form.challenges = list(challenges)
    return form
