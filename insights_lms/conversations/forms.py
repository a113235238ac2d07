"""Forms of the conversations feature, built per request for the participant's framework.

The record form has a fixed set of rows, so it works without JavaScript: every competency of
the framework with an "In focus" checkbox, the coach's rating, the agreed level and notes; a
few blank rows for agreed actions; and a review row for each open action from earlier
conversations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from insights_lms.competencies.models import Competency, Level
from insights_lms.conversations.fields import (
    action_name,
    agreed_level_name,
    coach_level_name,
    focus_name,
    notes_name,
    review_comment_name,
    review_name,
)
from insights_lms.conversations.models import (
    ACTION_MAX,
    NOTES_MAX,
    SHORT_MAX,
    ActionOwner,
    ActionStatus,
    AgreedAction,
    ConversationMode,
)
from insights_lms.conversations.validation import (
    MAX_MINUTES,
    ActionInput,
    ActionReview,
    FocusInput,
)
from insights_lms.evidence.forms import CheckboxesField, FriendlyDateField

#: How many blank action rows the record form offers.
ACTION_ROWS = 3


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _length(limit: int, what: str) -> Length:
    return Length(max=limit, message=f"Keep {what} to {limit:,} characters or fewer.")


def _date_field(label: str, *, required: bool, description: str = "") -> FriendlyDateField:
    validators: list[Any] = (
        [InputRequired("Enter the date of the conversation.")] if required else [Optional()]
    )
    return FriendlyDateField(label, validators=validators, description=description)


def _meeting_fields() -> dict[str, Field]:
    """Date, length and way of meeting, notes and the next date: the same in both forms."""
    return {
        "held_on": _date_field("Date of the conversation", required=True),
        "minutes": IntegerField(
            "Length in minutes",
            validators=[
                InputRequired("Enter how long the conversation lasted, in minutes."),
                NumberRange(
                    1,
                    MAX_MINUTES,
                    f"Enter how long the conversation lasted, in minutes (1 to {MAX_MINUTES}).",
                ),
            ],
            render_kw={"min": 1, "max": MAX_MINUTES, "inputmode": "numeric"},
        ),
        "mode": RadioField(
            "How you met",
            choices=[
                SelectChoice(ConversationMode.IN_PERSON.value, "In person"),
                SelectChoice(ConversationMode.ONLINE.value, "Online"),
            ],
            validators=[InputRequired("Choose in person or online.")],
        ),
        "shared_notes": TextAreaField(
            "Shared notes",
            filters=[_strip],
            validators=[_length(NOTES_MAX, "the shared notes")],
            description="The participant sees these. You can use Markdown.",
            render_kw={"rows": 6},
        ),
        "private_notes": TextAreaField(
            "Private notes",
            filters=[_strip],
            validators=[_length(NOTES_MAX, "the private notes")],
            description="Only you will ever see these: never the participant, another coach, "
            "a facilitator, an export or a learning record.",
            render_kw={"rows": 4},
        ),
        "next_on": _date_field(
            "Date of the next conversation (optional)",
            required=False,
            description="The participant sees it and can prepare for it.",
        ),
    }


class ConversationForm(FlaskForm):
    """Fields common to every framework; :func:`conversation_form` adds the rest."""

    competencies: Sequence[Competency] = ()
    open_actions: Sequence[AgreedAction] = ()
    rows: int = ACTION_ROWS

    def focus(self, competency: Competency) -> Field:
        return self[focus_name(competency.id)]

    def coach_level(self, competency: Competency) -> Field:
        return self[coach_level_name(competency.id)]

    def agreed_level(self, competency: Competency) -> Field:
        return self[agreed_level_name(competency.id)]

    def notes(self, competency: Competency) -> Field:
        return self[notes_name(competency.id)]

    def action(self, row: int, part: str) -> Field:
        return self[action_name(row, part)]

    def review(self, action: AgreedAction) -> Field:
        return self[review_name(action.id)]

    def review_comment(self, action: AgreedAction) -> Field:
        return self[review_comment_name(action.id)]

    def focus_inputs(self) -> list[FocusInput]:
        return [
            FocusInput(
                competency_id=c.id,
                notes=self.notes(c).data or "",
                coach_level_id=_int(self.coach_level(c).data),
                agreed_level_id=_int(self.agreed_level(c).data),
            )
            for c in self.competencies
            if self.focus(c).data
        ]

    def action_inputs(self) -> list[ActionInput]:
        return [
            ActionInput(
                description=self.action(row, "description").data or "",
                owner=self.action(row, "owner").data or ActionOwner.PARTICIPANT.value,
                due_on=self.action(row, "due").data,
                competency_id=_int(self.action(row, "competency").data),
            )
            for row in range(1, self.rows + 1)
        ]

    def review_inputs(self) -> list[ActionReview]:
        return [
            ActionReview(
                action_id=a.id,
                decision=self.review(a).data or ActionStatus.OPEN.value,
                comment=self.review_comment(a).data or "",
            )
            for a in self.open_actions
        ]

    def validate(self, extra_validators: Mapping[str, Any] | None = None) -> bool:
        valid = super().validate(extra_validators)
        for competency in self.competencies:
            if self.focus(competency).data:
                continue
            for part in (self.coach_level(competency), self.agreed_level(competency)):
                if part.data:
                    part.errors.append(
                        f"Tick “In focus” for {competency.code} to record this level."
                    )
                    valid = False
            if self.notes(competency).data:
                self.notes(competency).errors.append(
                    f"Tick “In focus” for {competency.code} to keep these notes."
                )
                valid = False
        return valid


def _int(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


def _level_choices(levels: Sequence[Level], empty: str) -> list[SelectChoice]:
    return [SelectChoice("", empty)] + [
        SelectChoice(str(level.id), f"{level.value} {level.title}") for level in levels
    ]


def conversation_form(
    competencies: Sequence[Competency],
    levels: Sequence[Level],
    open_actions: Sequence[AgreedAction],
    participant_name: str,
    data: Mapping[str, Any] | None = None,
    rows: int = ACTION_ROWS,
) -> ConversationForm:
    """The record form for these competencies, levels and open actions; ``data`` pre-fills it
    (on GET only)."""
    fields = _meeting_fields()
    for c in competencies:
        fields[focus_name(c.id)] = BooleanField(f"In focus: {c.code} {c.title}")
        fields[coach_level_name(c.id)] = SelectField(
            f"Your rating of {c.code} (optional)",
            choices=_level_choices(levels, "No rating"),
            default="",
            validate_choice=True,
            invalid_choice_message=f"Choose one of the levels for {c.code}.",
        )
        fields[agreed_level_name(c.id)] = SelectField(
            f"Level agreed for {c.code} (optional)",
            choices=_level_choices(levels, "None agreed"),
            default="",
            validate_choice=True,
            invalid_choice_message=f"Choose one of the levels for {c.code}.",
        )
        fields[notes_name(c.id)] = TextAreaField(
            f"Notes on {c.code} (shared)",
            filters=[_strip],
            validators=[_length(SHORT_MAX, f"the notes on {c.code}")],
            render_kw={"rows": 3},
        )
    owners = [
        SelectChoice(ActionOwner.PARTICIPANT.value, participant_name),
        SelectChoice(ActionOwner.COACH.value, "You (the coach)"),
    ]
    linked = [SelectChoice("", "No competency")] + [
        SelectChoice(str(c.id), f"{c.code} {c.title}") for c in competencies
    ]
    for row in range(1, rows + 1):
        fields[action_name(row, "description")] = StringField(
            f"Action {row}: what will be done",
            filters=[_strip],
            validators=[_length(ACTION_MAX, f"action {row}")],
        )
        fields[action_name(row, "owner")] = SelectField(
            f"Action {row}: who will do it",
            choices=owners,
            default=ActionOwner.PARTICIPANT.value,
            validate_choice=True,
        )
        fields[action_name(row, "due")] = FriendlyDateField(
            f"Action {row}: due date (optional)", validators=[Optional()]
        )
        fields[action_name(row, "competency")] = SelectField(
            f"Action {row}: competency (optional)",
            choices=linked,
            default="",
            validate_choice=True,
            invalid_choice_message="Choose one of the competencies listed.",
        )
    for action in open_actions:
        fields[review_name(action.id)] = RadioField(
            "Decision",
            choices=[
                SelectChoice(ActionStatus.OPEN.value, "Keep open"),
                SelectChoice(ActionStatus.DONE.value, "Done"),
                SelectChoice(ActionStatus.DROPPED.value, "Drop"),
            ],
            default=ActionStatus.OPEN.value,
            validators=[InputRequired("Choose done, keep open or drop.")],
        )
        fields[review_comment_name(action.id)] = TextAreaField(
            "Comment (needed when you drop it)",
            filters=[_strip],
            validators=[_length(SHORT_MAX, "the comment")],
            render_kw={"rows": 2},
        )
    fields["submit"] = SubmitField("Save the conversation")
    form_class = type("ConversationFormForFramework", (ConversationForm,), fields)
    form: ConversationForm = form_class(data=data) if data is not None else form_class()
    form.competencies, form.open_actions, form.rows = competencies, open_actions, rows
    return form


class CorrectionForm(FlaskForm):
    """Fields common to every record; :func:`correction_form` adds the notes per competency."""

    competencies: Sequence[Competency] = ()

    def notes(self, competency: Competency) -> Field:
        return self[notes_name(competency.id)]

    def focus_notes(self) -> dict[int, str]:
        return {c.id: self.notes(c).data or "" for c in self.competencies}


def correction_form(
    competencies: Sequence[Competency], data: Mapping[str, Any] | None = None
) -> CorrectionForm:
    fields = _meeting_fields()
    for c in competencies:
        fields[notes_name(c.id)] = TextAreaField(
            f"Notes on {c.code} {c.title} (shared)",
            filters=[_strip],
            validators=[_length(SHORT_MAX, f"the notes on {c.code}")],
            render_kw={"rows": 3},
        )
    fields["submit"] = SubmitField("Save the corrections")
    form_class = type("CorrectionFormForRecord", (CorrectionForm,), fields)
    form: CorrectionForm = form_class(data=data) if data is not None else form_class()
    form.competencies = competencies
    return form


class AcknowledgeForm(FlaskForm):
    comment = TextAreaField(
        "Your comment (optional)",
        filters=[_strip],
        validators=[_length(SHORT_MAX, "your comment")],
        description="Anything you would add or see differently. Your coach sees it.",
        render_kw={"rows": 3},
    )
    submit = SubmitField("Acknowledge this record")


class PreparationForm(FlaskForm):
    competencies = CheckboxesField("Competencies you want to discuss", coerce=int)
    reflection = TextAreaField(
        "Your reflection",
        filters=[_strip],
        validators=[_length(SHORT_MAX, "your reflection")],
        description="A few lines: what has gone well, what is hard, what you would like help "
        "with. Your coach sees this when they record the conversation.",
        render_kw={"rows": 6},
    )
    submit = SubmitField("Save my preparation")
