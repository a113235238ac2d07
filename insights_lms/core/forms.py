"""Small helpers shared by the features' forms."""

from __future__ import annotations

from flask_wtf import FlaskForm


def attach_error(form: FlaskForm, message: str, field: str | None = None) -> None:
    """Show a service's refusal beside the field it names, else at the top of the form."""
    target = getattr(form, field, None) if field else None
    if target is not None:
        target.errors = [*target.errors, message]
    else:
        form.form_errors.append(message)
