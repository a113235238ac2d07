"""The calendar link (shown, read-only) and the form that resets it."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Form, StringField, SubmitField


class FeedLinkForm(Form):
    """Not submitted: a labelled, read-only field that shows the link to copy."""

    url = StringField(
        "Your personal calendar link",
        render_kw={"readonly": True, "spellcheck": "false", "autocomplete": "off"},
    )


class ResetFeedForm(FlaskForm):
    """An empty form: it exists for its CSRF token."""

    submit = SubmitField("Reset my calendar link")
