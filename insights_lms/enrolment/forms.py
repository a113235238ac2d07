"""The CSV upload, the confirmation of a previewed import, and choosing a password."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, PasswordField
from wtforms.validators import DataRequired, EqualTo

from insights_lms.web import ConfirmForm


class UploadForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file to check.")])


class ImportConfirmForm(ConfirmForm):
    """Import the previewed file (the page's buttons choose all rows or the good ones)."""

    #: The previewed file's text, sent back so that exactly what was checked is imported
    #: (it is checked again: the file is never trusted because it came back from the page).
    csv_text = HiddenField()


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired("Choose a password.")],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Type it again",
        validators=[EqualTo("password", "The two passwords are not the same.")],
        render_kw={"autocomplete": "new-password"},
    )
