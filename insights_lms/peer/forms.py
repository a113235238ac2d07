"""Forms of the peer feature: a challenge, a contribution, an answer, the decision and outcome,
and a case study (the one-button actions, share and feature, use ``web.ConfirmForm``)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from insights_lms.evidence.forms import CheckboxesField
from insights_lms.peer.models import ContributionKind
from insights_lms.peer.validation import MAX_CONTRIBUTION, MAX_TEXT, MAX_TITLE

MARKDOWN = "You can use Markdown: **bold**, *italic*, lists with - and links."


def _text(label: str, description: str, *, limit: int = MAX_TEXT, rows: int = 6) -> TextAreaField:
    return TextAreaField(
        label,
        validators=[Length(max=limit, message=f"Keep this to {limit:,} characters.")],
        description=description,
        render_kw={"rows": rows},
    )


class ChallengeForm(FlaskForm):
    title = StringField(
        "Title",
        validators=[DataRequired("Give it a title."), Length(max=MAX_TITLE)],
        description="A few words your peers will recognise, e.g. “Restructuring the SEND team”.",
    )
    context = _text(
        "Context",
        "Your school and the situation: what is happening, who is involved, what you have "
        "tried. Leave out names of staff or pupils. " + MARKDOWN,
    )
    decision_to_make = _text(
        "The decision to make",
        "The decision in front of you, as you would put it to your peers. " + MARKDOWN,
        rows=4,
    )
    competencies = CheckboxesField("Competencies this challenge calls on", coerce=int)
    cohort_module = SelectField("Module session (optional)", coerce=str, validate_choice=True)
    submit = SubmitField("Post the challenge")


class ContributionForm(FlaskForm):
    kind = RadioField(
        "Kind of contribution",
        choices=[
            SelectChoice(ContributionKind.QUESTION.value, "A clarifying question"),
            SelectChoice(ContributionKind.SUGGESTION.value, "A suggestion"),
        ],
        validators=[InputRequired("Choose whether this is a question or a suggestion.")],
    )
    text = _text(
        "Your question or suggestion",
        "Questions help the owner see the problem afresh; suggestions offer a way forward. "
        + MARKDOWN,
        limit=MAX_CONTRIBUTION,
        rows=4,
    )
    submit = SubmitField("Add to the challenge")


class AnswerForm(FlaskForm):
    answer = _text("Your answer", MARKDOWN, limit=MAX_CONTRIBUTION, rows=3)
    submit = SubmitField("Save answer")


class DecisionForm(FlaskForm):
    resolution = _text(
        "What you decided",
        "The decision you made and why, including what your peers' questions changed. " + MARKDOWN,
    )
    submit = SubmitField("Record my decision")


class OutcomeForm(FlaskForm):
    outcome = _text(
        "What happened",
        "What happened after your decision, and what you would do differently. " + MARKDOWN,
    )
    submit = SubmitField("Record what happened")


class CaseStudyForm(FlaskForm):
    title = StringField(
        "Title", validators=[DataRequired("Give it a title."), Length(max=MAX_TITLE)]
    )
    context = _text(
        "Context",
        "The school and the situation you started from: describe it, do not judge it. " + MARKDOWN,
    )
    what_i_did = _text(
        "What I did",
        "The steps you took, in order, and who was involved. " + MARKDOWN,
        rows=8,
    )
    impact = _text(
        "Evidence of impact",
        "What changed and how you know: data, what people said or did, what you saw. " + MARKDOWN,
    )
    transferable = _text(
        "What others could apply",
        "What another leader could take into their own school, and what they would need for it "
        "to work there. " + MARKDOWN,
    )
    competencies = CheckboxesField("Competencies this case study shows", coerce=int)
    submit = SubmitField("Save as a draft")
    share = SubmitField("Save and share with my cohort")
