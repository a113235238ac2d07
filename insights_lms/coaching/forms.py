"""The evidence review form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from insights_lms.coaching.models import ReviewOutcome
from insights_lms.coaching.services import MAX_COMMENT


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
