"""The evidence form (the same for adding and editing)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from insights_lms.evidence.models import ReviewOutcome
from insights_lms.evidence.reviews import MAX_COMMENT
from insights_lms.evidence.services import MAX_NARRATIVE


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (each one labelled), not a multi-select box."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class FriendlyDateField(DateField):
    """A date field whose message for a malformed date says what to type."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter the date as a real date, e.g. 2026-11-23.") from None


class EvidenceForm(FlaskForm):
    title = StringField(
        "Title", validators=[DataRequired("Give the evidence a title."), Length(max=200)]
    )
    occurred_on = FriendlyDateField(
        "Date",
        validators=[InputRequired("Enter the date the evidence is from.")],
        description="When it happened, e.g. the date of the meeting or the observation.",
    )
    narrative = TextAreaField(
        "Narrative",
        validators=[Length(max=MAX_NARRATIVE)],
        description="What you did, what happened and what it shows. You can use Markdown: "
        "**bold**, *italic*, lists with - and links.",
        render_kw={"rows": 10},
    )
    competencies = CheckboxesField("Competencies this evidence shows", coerce=int)
    challenges = CheckboxesField("School challenges this addresses (optional)", coerce=int)
    module = SelectField("Linked module (optional)", coerce=str, validate_choice=True)
    task = SelectField("Linked practical task (optional)", coerce=str, validate_choice=True)
    files = MultipleFileField(
        "Add files",
        description="PDF, Word, PowerPoint, Excel, images or plain text; up to {limit} MB each.",
    )
    remove_files = CheckboxesField("Remove files", coerce=str)
    submit = SubmitField("Save evidence")


class ReviewForm(FlaskForm):
    outcome = RadioField(
        "Outcome",
        choices=[
            SelectChoice(ReviewOutcome.ACCEPTED.value, "Accept"),
            SelectChoice(ReviewOutcome.NEEDS_MORE.value, "Needs more"),
        ],
        validators=[InputRequired("Choose whether to accept the evidence or ask for more.")],
    )
    comment = TextAreaField(
        "Comment",
        validators=[Length(max=MAX_COMMENT)],
        description="Required when you ask for more: say what would make the evidence stronger.",
        render_kw={"rows": 5},
    )
    submit = SubmitField("Save review")
