"""The calendar link (shown, read-only) and the form that resets it."""

from __future__ import annotations

from wtforms import Form, StringField, SubmitField

from insights_lms.web import ConfirmForm


class FeedLinkForm(Form):
    """Not submitted: a labelled, read-only field that shows the link to copy."""

    url = StringField(
        "Your personal calendar link",
        render_kw={"readonly": True, "spellcheck": "false", "autocomplete": "off"},
    )


class ResetFeedForm(ConfirmForm):
    """The one-button form that resets the link (its own button text)."""

    submit = SubmitField("Reset my calendar link")
