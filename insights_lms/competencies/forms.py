"""A level (and an optional short text) for each competency of a framework.

Self-assessment (``comment``) and coach or facilitator ratings (``note``) share it: each
competency gets a radio group ``level_<competency id>`` with one radio per level of the scale and
a text ``<text>_<competency id>``. A competency may be left unrated, but at least one must be
rated, and a text needs a level to belong to. :func:`add_level_fields` builds the per-framework
form class.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, TypeVar

from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectChoice, TextAreaField
from wtforms.validators import Length, Optional

from insights_lms.competencies.models import Competency, Level

NOTHING_RATED = "Rate at least one competency: choose a level for each competency you want to rate."


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _has_level(field: Field) -> bool:
    """Whether a level was chosen (or sent), valid or not."""
    return bool(field.raw_data and field.raw_data[0])


def level_name(competency: Competency) -> str:
    return f"level_{competency.id}"


class CompetencyLevelsForm(FlaskForm):
    """The behaviour; the fields come from :func:`add_level_fields`."""

    #: The text field's name prefix and how it is called in messages ("comment", "note").
    text_name: ClassVar[str] = "comment"
    competencies: Sequence[Competency] = ()

    def level(self, competency: Competency) -> Field:
        return self[level_name(competency)]

    def text(self, competency: Competency) -> Field:
        return self[f"{self.text_name}_{competency.id}"]

    def ratings(self) -> dict[int, tuple[int, str]]:
        """Competency id → (level id, text) for every competency given a level."""
        result: dict[int, tuple[int, str]] = {}
        for competency in self.competencies:
            level = self.level(competency)
            if _has_level(level) and level.data is not None:
                result[competency.id] = (int(level.data), self.text(competency).data or "")
        return result

    def validate(self, extra_validators: Mapping[str, Any] | None = None) -> bool:
        valid: bool = super().validate(extra_validators)
        chosen = False
        for competency in self.competencies:
            level, text = self.level(competency), self.text(competency)
            if _has_level(level):
                chosen = True
            elif text.data:
                level.errors.append(
                    f"Choose a level for {competency.code} to keep your {self.text_name}."
                )
                valid = False
        if not chosen:
            self.form_errors.append(NOTHING_RATED)
            valid = False
        return valid


FormT = TypeVar("FormT", bound=CompetencyLevelsForm)


def add_level_fields(
    base: type[FormT],
    competencies: Sequence[Competency],
    levels: Sequence[Level],
    *,
    text_label: str,
    text_max: int,
) -> type[FormT]:
    """A subclass of ``base`` with a level radio group and a text per competency;
    ``text_label`` is formatted with the competency's ``code``."""
    fields: dict[str, Field] = {}
    choices = [SelectChoice(str(level.id), f"{level.value} {level.title}") for level in levels]
    for competency in competencies:
        code = competency.code
        fields[level_name(competency)] = RadioField(
            f"{code} {competency.title}",
            coerce=int,
            choices=choices,
            validators=[Optional()],
            invalid_value_message=f"Choose one of the levels for {code}.",
            invalid_choice_message=f"Choose one of the levels for {code}.",
        )
        fields[f"{base.text_name}_{competency.id}"] = TextAreaField(
            text_label.format(code=code),
            filters=[_strip],
            validators=[
                Length(
                    max=text_max,
                    message=(
                        f"Keep your {base.text_name} on {code} to {text_max:,} characters or fewer."
                    ),
                )
            ],
            render_kw={"rows": 3, "maxlength": text_max},
        )
    return type(f"{base.__name__}ForFramework", (base,), fields)
