"""The coach profile form and the form that confirms (or overrides) a suggested match."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectChoice, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from insights_lms.enums import SchoolPhase
from insights_lms.evidence.forms import CheckboxesField
from insights_lms.matching.models import BIO_MAX, CAPACITY_MAX


class WholeNumberField(IntegerField):
    """An integer field whose message for anything but a whole number says what to type."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter the capacity as a whole number, e.g. 3.") from None


class ProfileForm(FlaskForm):
    capacity = WholeNumberField(
        "Capacity: how many coachees at once",
        validators=[
            InputRequired("Enter the capacity as a whole number, e.g. 3."),
            NumberRange(0, CAPACITY_MAX, f"Enter a capacity between 0 and {CAPACITY_MAX}."),
        ],
        description="Across every cohort that is running. 0 means not taking coachees for now.",
        render_kw={"min": 0, "max": CAPACITY_MAX, "inputmode": "numeric"},
    )
    phases = CheckboxesField(
        "School phases of experience",
        choices=[SelectChoice(p.value, p.label) for p in SchoolPhase],
    )
    strengths = CheckboxesField("Strengths: competencies led on")
    challenges = CheckboxesField("School challenges of experience (optional)")
    bio = TextAreaField(
        "Leadership background (optional)",
        validators=[Length(max=BIO_MAX, message=f"Keep it to {BIO_MAX:,} characters or fewer.")],
        description="Shown to facilitators when they match coaches.",
        render_kw={"rows": 5, "maxlength": BIO_MAX},
    )
    submit = SubmitField("Save profile")


class AssignForm(FlaskForm):
    """Confirm the suggested coach for one participant, or pick another coach of the cohort
    (``coach`` holds the coach's public id)."""

    coach = RadioField(
        "Coach",
        validators=[InputRequired("Choose a coach.")],
        invalid_choice_message="Choose one of the cohort's coaches.",
    )
    submit = SubmitField("Assign coach")
