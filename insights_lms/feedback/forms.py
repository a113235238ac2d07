"""The module feedback form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length

from insights_lms.feedback.models import COMMENT_MAX, Stretch
from insights_lms.feedback.services import IMPACT_LABELS, RELEVANCE_LABELS, STRETCH_LABELS


class FeedbackForm(FlaskForm):
    relevance = RadioField(
        "How relevant was this module to your work as a leader?",
        choices=[SelectChoice(str(v), f"{v}: {label}") for v, label in RELEVANCE_LABELS.items()],
        validators=[InputRequired("Choose how relevant the module was.")],
    )
    stretch = RadioField(
        "Did it serve or stretch you?",
        choices=[SelectChoice(value.value, label) for value, label in STRETCH_LABELS.items()],
        validators=[InputRequired("Choose whether the module served or stretched you.")],
    )
    impact = RadioField(
        "What impact do you expect it to have on your practice?",
        choices=[SelectChoice(str(v), f"{v}: {label}") for v, label in IMPACT_LABELS.items()],
        validators=[InputRequired("Choose the impact you expect.")],
    )
    comment = TextAreaField(
        "Anything else the facilitators should know? (optional)",
        validators=[Length(max=COMMENT_MAX)],
        filters=[lambda v: v.replace("\r\n", "\n") if isinstance(v, str) else v],
        render_kw={"rows": 5, "maxlength": COMMENT_MAX},
    )


__all__ = ["FeedbackForm", "Stretch"]
