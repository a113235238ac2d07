"""The portfolio's download options: a GET form (it changes nothing, so it has no CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SubmitField
from wtforms.validators import Optional

from insights_lms.evidence.forms import CheckboxesField, FriendlyDateField


class PortfolioOptionsForm(FlaskForm):
    class Meta:
        csrf = False

    date_from = FriendlyDateField(
        "From", validators=[Optional()], description="Leave empty to start at the beginning."
    )
    date_to = FriendlyDateField(
        "To", validators=[Optional()], description="Leave empty to include everything so far."
    )
    competencies = CheckboxesField("Competencies to include", coerce=int)
    attachments = BooleanField("Embed the evidence files in the PDF (a larger file)")
    # Tells a submitted form (where unticking every competency is a mistake) from a bare link.
    options = HiddenField(default="1")
    submit = SubmitField("Download PDF")
