"""Creating a cohort and moving one of its sessions."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, Regexp

CODE_RE = r"^[a-z0-9][a-z0-9-]*$"


class NewCohortForm(FlaskForm):
    programme = SelectField("Programme", validators=[InputRequired("Choose a programme.")])
    title = StringField(
        "Title", validators=[DataRequired("Give the cohort a title."), Length(max=200)]
    )
    code = StringField(
        "Code",
        validators=[
            DataRequired("Give the cohort a short code."),
            Length(max=64),
            Regexp(
                CODE_RE, message="Use lower-case letters, digits and hyphens, e.g. 2027-cohort-2."
            ),
        ],
    )
    first_day = DateField(
        "Date of the first module", validators=[InputRequired("Give the date of the first module.")]
    )


class MoveModuleForm(FlaskForm):
    day = DateField("New date", validators=[InputRequired("Give the new date.")])
    start = TimeField("Start time", validators=[InputRequired("Give the start time.")])
    shift_later = BooleanField(
        "Move every later module and task by the same number of days", default=True
    )
