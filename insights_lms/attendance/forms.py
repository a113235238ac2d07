"""The register form (one radio group and note per participant) and the reflection form."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from insights_lms.attendance.models import NOTE_MAX, REFLECTION_MAX, AttendanceStatus
from insights_lms.attendance.services import Mark, RegisterRow


def _lf_newlines(value: Any) -> Any:
    # Browsers send CRLF but count a line break as one character against maxlength.
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


_STATUS_CHOICES = [SelectChoice(value, label) for value, label in AttendanceStatus.choices()]


class RegisterForm(FlaskForm):
    """A session's register. Its fields depend on the cohort: use :func:`register_form`."""

    rows: Sequence[RegisterRow] = ()

    def status_field(self, row: RegisterRow) -> Field:
        return self[f"status_{row.participant.id}"]

    def note_field(self, row: RegisterRow) -> Field:
        return self[f"note_{row.participant.id}"]

    def lines(self) -> list[tuple[RegisterRow, Field, Field]]:
        return [(row, self.status_field(row), self.note_field(row)) for row in self.rows]

    def marks(self) -> dict[int, Mark]:
        """The participants given a status, with it and their note (unmarked ones left out)."""
        return {
            row.participant.id: (status.data, (note.data or "").strip())
            for row, status, note in self.lines()
            if status.data
        }

    def validate(self, extra_validators: Any = None) -> bool:
        valid: bool = super().validate(extra_validators)
        for row, status, note in self.lines():
            if not status.data and (note.data or "").strip():
                note.errors.append(f"Choose a status for {row.participant.name} to save this note.")
                valid = False
        return valid


def register_form(rows: Sequence[RegisterRow], *, prefill: bool) -> RegisterForm:
    """A register form for these participants; ``prefill`` shows the marks already saved."""

    class CohortRegisterForm(RegisterForm):
        pass

    CohortRegisterForm.rows = tuple(rows)
    data: dict[str, str] = {}
    for row in rows:
        person = row.participant
        setattr(
            CohortRegisterForm,
            f"status_{person.id}",
            RadioField(person.name, choices=_STATUS_CHOICES, validators=[Optional()]),
        )
        setattr(
            CohortRegisterForm,
            f"note_{person.id}",
            StringField(
                f"Note for {person.name}",
                validators=[
                    Length(max=NOTE_MAX, message=f"Keep the note to {NOTE_MAX} characters.")
                ],
                render_kw={"maxlength": NOTE_MAX},
            ),
        )
        if prefill and row.attendance is not None:
            data[f"status_{person.id}"] = row.attendance.status.value
            data[f"note_{person.id}"] = row.attendance.note
    return CohortRegisterForm(data=data) if prefill else CohortRegisterForm()


class CompletionForm(FlaskForm):
    """A participant's reflection on a module they have been to."""

    learned = TextAreaField(
        "What I learned",
        validators=[
            DataRequired("Write what you learned."),
            Length(
                max=REFLECTION_MAX,
                message="Keep what you learned to %(max)d characters or fewer.",
            ),
        ],
        filters=[_lf_newlines],
        render_kw={"rows": 6, "maxlength": REFLECTION_MAX},
    )
    will_trial = TextAreaField(
        "What I will trial back in school",
        validators=[
            DataRequired("Write what you will trial back in school."),
            Length(
                max=REFLECTION_MAX,
                message="Keep what you will trial to %(max)d characters or fewer.",
            ),
        ],
        filters=[_lf_newlines],
        render_kw={"rows": 6, "maxlength": REFLECTION_MAX},
    )
