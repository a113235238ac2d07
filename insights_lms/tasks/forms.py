"""The practical task response form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length

from insights_lms.evidence.forms import CheckboxesField
from insights_lms.tasks.services import MAX_RESPONSE


class ResponseForm(FlaskForm):
    response = TextAreaField(
        "Your response",
        validators=[Length(max=MAX_RESPONSE)],
        description="What you trialled in school, with whom, what happened and what you will do "
        "next. You can use Markdown.",
        render_kw={"rows": 12},
    )
    evidence = CheckboxesField("Evidence for this task", coerce=int)
    challenges = CheckboxesField("School challenges this addresses (optional)", coerce=int)
    save = SubmitField("Save draft")
    submit = SubmitField("Submit task")
