"""The status page's buttons: empty forms that exist for their CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SubmitField


class RequeueForm(FlaskForm):
    """Re-queue dead letters (all of them, or the one in the URL)."""

    submit = SubmitField("Re-queue")


class ResumeForm(FlaskForm):
    """Resume sending after a pause for refused credentials."""

    submit = SubmitField("Resume sending")
