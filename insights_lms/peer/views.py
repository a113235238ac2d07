"""Pages of the peer feature: a participant's peer learning, a cohort's challenges and case
studies, one challenge (with its questions, suggestions, decision and outcome), one case study,
and a programme's featured case studies.

Anyone outside a cohort gets 404 for everything in it; a member who may see a record but not
do what they asked gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from insights_lms.cohorts.access import own_participant_enrolment
from insights_lms.cohorts.models import Cohort, Enrolment
from insights_lms.cohorts.services import participant_enrolments
from insights_lms.db import session
from insights_lms.evidence.outline import DomainChoices, competency_outline
from insights_lms.peer import access, case_studies, challenges
from insights_lms.peer.case_studies import CaseStudyInput
from insights_lms.peer.challenges import ChallengeInput
from insights_lms.peer.forms import (
    AnswerForm,
    CaseStudyForm,
    ChallengeForm,
    ContributionForm,
    DecisionForm,
    OutcomeForm,
)
from insights_lms.peer.models import CaseStudy, ChallengeContribution, GoldfishChallenge
from insights_lms.peer.validation import PeerError
from insights_lms.timeutil import format_local
from insights_lms.web import ConfirmForm, refuse, signed_in_user

bp = Blueprint("peer", __name__, url_prefix="/peer")

T = TypeVar("T")


def _run(form: FlaskForm, action: Callable[[], T]) -> T | None:
    """Run a service; on a refusal undo the request's work and put the message on the form
    (the request boundary commits what succeeded)."""
    try:
        return action()
    except PeerError as exc:
        refuse(form, exc)
        return None


def _status() -> int:
    return 400 if request.method == "POST" else 200


# --- loading with access checks ----------------------------------------------------------


def _cohort_or_404(code: str) -> Cohort:
    return access.cohort_for_member(session, code, signed_in_user()) or abort(404)


def _challenge_or_404(public_id: str) -> GoldfishChallenge:
    found = access.challenge_for_viewer(session, public_id, signed_in_user())
    return found or abort(404)


def _owned_challenge(public_id: str) -> GoldfishChallenge:
    challenge = _challenge_or_404(public_id)
    if challenge.owner.id != signed_in_user().id:
        abort(403)
    return challenge


def _case_study_or_404(public_id: str) -> CaseStudy:
    found = access.case_study_for_viewer(session, public_id, signed_in_user())
    return found or abort(404)


def _authored_case_study(public_id: str) -> CaseStudy:
    study = _case_study_or_404(public_id)
    if study.author.id != signed_in_user().id:
        abort(403)
    return study


def _participant_in(cohort: Cohort) -> Enrolment:
    enrolment = own_participant_enrolment(session, signed_in_user(), cohort.code)
    if enrolment is None:
        abort(403)
    return enrolment


# --- a participant's own page, and a cohort's list ---------------------------------------


@bp.get("/")
@login_required
def index() -> str:
    user = signed_in_user()
    enrolments = participant_enrolments(session, user)
    enrolment = enrolments[0] if enrolments else None
    if request.args.get("cohort"):
        enrolment = next((e for e in enrolments if e.cohort.code == request.args["cohort"]), None)
        if enrolment is None:
            abort(404)
    cohorts = access.member_cohorts(session, user)
    if enrolment is not None:
        contributions = challenges.contributions_of(session, enrolment)
    else:  # a coach's or facilitator's own contributions, in every cohort they belong to
        contributions = [
            c
            for cohort in cohorts
            if (staff := access.member_enrolment(session, user, cohort)) is not None
            for c in challenges.contributions_of(session, staff)
        ]
    programmes = {c.programme.code: c.programme for c in cohorts}
    return render_template(
        "lms/peer/index.html",
        enrolment=enrolment,
        cohorts=cohorts,
        programmes=list(programmes.values()),
        challenges=challenges.challenges_owned(session, enrolment) if enrolment else [],
        contributions=contributions,
        case_studies=case_studies.case_studies_by(session, enrolment) if enrolment else [],
    )


@bp.get("/cohorts/<code>")
@login_required
def cohort(code: str) -> str:
    found = _cohort_or_404(code)
    user = signed_in_user()
    mine = own_participant_enrolment(session, user, found.code)
    drafts = (
        [s for s in case_studies.case_studies_by(session, mine) if not s.is_shared] if mine else []
    )
    return render_template(
        "lms/peer/cohort.html",
        cohort=found,
        is_participant=mine is not None,
        challenges=challenges.challenges_of_cohort(session, found),
        case_studies=case_studies.shared_case_studies(session, found),
        drafts=drafts,
    )


@bp.get("/programmes/<code>/featured")
@login_required
def featured(code: str) -> str:
    programme = access.programme_for_viewer(session, code, signed_in_user()) or abort(404)
    return render_template(
        "lms/peer/featured.html",
        programme=programme,
        case_studies=case_studies.featured_case_studies(session, programme),
    )


# --- challenges --------------------------------------------------------------------------


def _fill_challenge_choices(form: ChallengeForm, cohort: Cohort) -> list[DomainChoices]:
    """The form's choices; returns the competency checkboxes by domain for the template."""
    programme = cohort.programme
    form.competencies.choices = [
        (c.id, f"{c.code} {c.title}") for c in programme.framework.competencies
    ]
    choices = [("", "No module session")]
    for choice in challenges.cohort_module_choices(cohort):
        cm = choice.cohort_module
        label = f"{cm.module.title}, {format_local(cm.starts_at, programme.time_zone, '%-d %b %Y')}"
        if choice.goldfish_bowls:
            label += f" (goldfish bowl: {'; '.join(choice.goldfish_bowls)})"
        choices.append((str(cm.id), label))
    form.cohort_module.choices = choices
    return competency_outline(session, programme.framework_id)


def _challenge_input(form: ChallengeForm) -> ChallengeInput:
    return ChallengeInput(
        title=form.title.data or "",
        context=form.context.data or "",
        decision_to_make=form.decision_to_make.data or "",
        competency_ids=list(form.competencies.data or []),
        cohort_module_id=int(form.cohort_module.data) if form.cohort_module.data else None,
    )


@bp.route("/cohorts/<code>/challenges/new", methods=["GET", "POST"])
@login_required
def new_challenge(code: str) -> Response | tuple[str, int]:
    found = _cohort_or_404(code)
    enrolment = _participant_in(found)
    form = ChallengeForm()
    outline = _fill_challenge_choices(form, found)
    if form.validate_on_submit():
        challenge = _run(
            form,
            lambda: challenges.post_challenge(
                session, enrolment=enrolment, user=signed_in_user(), data=_challenge_input(form)
            ),
        )
        if challenge is not None:
            flash(f"Posted your challenge “{challenge.title}” to {found.title}.", "success")
            return redirect(url_for(".challenge", public_id=challenge.public_id))
        found = _cohort_or_404(code)  # refused and rolled back: load the cohort again
    return render_template(
        "lms/peer/challenge_form.html", form=form, cohort=found, outline=outline, challenge=None
    ), _status()


@bp.route("/challenges/<public_id>/edit", methods=["GET", "POST"])
@login_required
def edit_challenge(public_id: str) -> Response | tuple[str, int]:
    challenge = _owned_challenge(public_id)
    if not challenge.is_open:
        flash("You have recorded your decision, so the challenge can no longer change.", "error")
        return redirect(url_for(".challenge", public_id=public_id))
    form = ChallengeForm(obj=None if request.method == "POST" else challenge)
    outline = _fill_challenge_choices(form, challenge.cohort)
    if request.method == "GET":
        form.competencies.data = [c.id for c in challenge.competencies]
        form.cohort_module.data = str(challenge.cohort_module_id or "")
    if form.validate_on_submit():
        saved = _run(
            form,
            lambda: challenges.update_challenge(
                session, challenge, user=signed_in_user(), data=_challenge_input(form)
            ),
        )
        if saved is not None:
            flash("Saved your changes.", "success")
            return redirect(url_for(".challenge", public_id=public_id))
        challenge = _owned_challenge(public_id)  # refused and rolled back: load it again
    return render_template(
        "lms/peer/challenge_form.html",
        form=form,
        cohort=challenge.cohort,
        outline=outline,
        challenge=challenge,
    ), _status()


def _render_challenge(
    public_id: str,
    *,
    contribution_form: ContributionForm | None = None,
    answer_forms: dict[int, AnswerForm] | None = None,
    decision_form: DecisionForm | None = None,
    outcome_form: OutcomeForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The challenge page, loaded here with all it shows (after a refusal, the request's work
    was rolled back and what the session had loaded is expired)."""
    challenge = _challenge_or_404(public_id)
    user = signed_in_user()
    is_owner = challenge.owner.id == user.id
    answer_forms = answer_forms or {}
    if is_owner:
        for question in challenge.questions:
            if question.id not in answer_forms:
                answer_forms[question.id] = AnswerForm(
                    formdata=None, data={"answer": question.answer}
                )
    if contribution_form is None and access.can_contribute(session, user, challenge):
        contribution_form = ContributionForm(formdata=None)
    return render_template(
        "lms/peer/challenge.html",
        challenge=challenge,
        is_owner=is_owner,
        contribution_form=contribution_form,
        answer_forms=answer_forms,
        decision_form=decision_form or (DecisionForm(formdata=None) if is_owner else None),
        outcome_form=outcome_form or (OutcomeForm(formdata=None) if is_owner else None),
    ), status


@bp.get("/challenges/<public_id>")
@login_required
def challenge(public_id: str) -> tuple[str, int]:
    return _render_challenge(public_id)


@bp.post("/challenges/<public_id>/contributions")
@login_required
def contribute(public_id: str) -> Response | tuple[str, int]:
    challenge = _challenge_or_404(public_id)
    form = ContributionForm()
    if form.validate_on_submit():
        added = _run(
            form,
            lambda: challenges.add_contribution(
                session,
                challenge,
                user=signed_in_user(),
                kind=form.kind.data or "",
                text=form.text.data or "",
            ),
        )
        if added is not None:
            flash(f"Added your {added.kind.value} to “{challenge.title}”.", "success")
            return redirect(url_for(".challenge", public_id=public_id, _anchor=added.public_id))
    return _render_challenge(public_id, contribution_form=form, status=400)


def _question_or_404(public_id: str) -> ChallengeContribution:
    found = access.contribution_for_viewer(session, public_id, signed_in_user())
    return found or abort(404)


@bp.post("/contributions/<public_id>/answer")
@login_required
def answer(public_id: str) -> Response | tuple[str, int]:
    question = _question_or_404(public_id)
    challenge = question.challenge
    if challenge.owner.id != signed_in_user().id:
        abort(403)
    challenge_public_id, question_id = challenge.public_id, question.id
    form = AnswerForm()
    if form.validate_on_submit():
        saved = _run(
            form,
            lambda: challenges.answer_question(
                session, question, user=signed_in_user(), answer=form.answer.data or ""
            ),
        )
        if saved is not None:
            flash("Saved your answer.", "success")
            return redirect(
                url_for(".challenge", public_id=challenge.public_id, _anchor=question.public_id)
            )
    return _render_challenge(challenge_public_id, answer_forms={question_id: form}, status=400)


@bp.post("/challenges/<public_id>/decision")
@login_required
def decide(public_id: str) -> Response | tuple[str, int]:
    challenge = _owned_challenge(public_id)
    form = DecisionForm()
    if form.validate_on_submit():
        saved = _run(
            form,
            lambda: challenges.record_decision(
                session, challenge, user=signed_in_user(), resolution=form.resolution.data or ""
            ),
        )
        if saved is not None:
            flash("Recorded your decision. Come back later to record what happened.", "success")
            return redirect(url_for(".challenge", public_id=public_id))
    return _render_challenge(public_id, decision_form=form, status=400)


@bp.post("/challenges/<public_id>/outcome")
@login_required
def outcome(public_id: str) -> Response | tuple[str, int]:
    challenge = _owned_challenge(public_id)
    form = OutcomeForm()
    if form.validate_on_submit():
        saved = _run(
            form,
            lambda: challenges.record_outcome(
                session, challenge, user=signed_in_user(), outcome=form.outcome.data or ""
            ),
        )
        if saved is not None:
            flash("Recorded what happened.", "success")
            return redirect(url_for(".challenge", public_id=public_id))
    return _render_challenge(public_id, outcome_form=form, status=400)


# --- case studies ------------------------------------------------------------------------


def _fill_case_study_choices(form: CaseStudyForm, cohort: Cohort) -> list[DomainChoices]:
    """The form's choices; returns the competency checkboxes by domain for the template."""
    framework = cohort.programme.framework
    form.competencies.choices = [(c.id, f"{c.code} {c.title}") for c in framework.competencies]
    return competency_outline(session, framework.id)


def _case_study_input(form: CaseStudyForm) -> CaseStudyInput:
    return CaseStudyInput(
        title=form.title.data or "",
        context=form.context.data or "",
        what_i_did=form.what_i_did.data or "",
        impact=form.impact.data or "",
        transferable=form.transferable.data or "",
        competency_ids=list(form.competencies.data or []),
    )


@bp.route("/cohorts/<code>/case-studies/new", methods=["GET", "POST"])
@login_required
def new_case_study(code: str) -> Response | tuple[str, int]:
    found = _cohort_or_404(code)
    enrolment = _participant_in(found)
    form = CaseStudyForm()
    outline = _fill_case_study_choices(form, found)
    if form.validate_on_submit():
        study = _run(
            form,
            lambda: case_studies.create_case_study(
                session,
                enrolment=enrolment,
                user=signed_in_user(),
                data=_case_study_input(form),
                share=bool(form.share.data),
            ),
        )
        if study is not None:
            if study.is_shared:
                flash(f"Shared your case study “{study.title}” with {found.title}.", "success")
            else:
                flash(f"Saved “{study.title}” as a draft: only you can see it.", "success")
            return redirect(url_for(".case_study", public_id=study.public_id))
        found = _cohort_or_404(code)  # refused and rolled back: load the cohort again
    return render_template(
        "lms/peer/case_study_form.html", form=form, study=None, cohort=found, outline=outline
    ), _status()


@bp.route("/case-studies/<public_id>/edit", methods=["GET", "POST"])
@login_required
def edit_case_study(public_id: str) -> Response | tuple[str, int]:
    study = _authored_case_study(public_id)
    form = CaseStudyForm(obj=None if request.method == "POST" else study)
    outline = _fill_case_study_choices(form, study.cohort)
    if request.method == "GET":
        form.competencies.data = [c.id for c in study.competencies]
    if form.validate_on_submit():

        def save() -> CaseStudy:
            case_studies.update_case_study(
                session, study, user=signed_in_user(), data=_case_study_input(form)
            )
            if form.share.data and not study.is_shared:
                case_studies.share_case_study(session, study, user=signed_in_user())
            return study

        if _run(form, save) is not None:
            flash("Saved your changes.", "success")
            return redirect(url_for(".case_study", public_id=public_id))
        study = _authored_case_study(public_id)  # refused and rolled back: load it again
    return render_template(
        "lms/peer/case_study_form.html",
        form=form,
        study=study,
        cohort=study.cohort,
        outline=outline,
    ), _status()


@bp.get("/case-studies/<public_id>")
@login_required
def case_study(public_id: str) -> str:
    study = _case_study_or_404(public_id)
    user = signed_in_user()
    return render_template(
        "lms/peer/case_study.html",
        study=study,
        is_author=study.author.id == user.id,
        may_feature=access.can_feature(session, user, study),
        is_member=access.is_member(session, user, study.cohort),
        confirm=ConfirmForm(),
    )


@bp.post("/case-studies/<public_id>/share")
@login_required
def share_case_study(public_id: str) -> Response:
    study = _authored_case_study(public_id)
    form = ConfirmForm()
    if form.validate_on_submit() and _run(
        form, lambda: case_studies.share_case_study(session, study, user=signed_in_user())
    ):
        flash(f"Shared “{study.title}” with {study.cohort.title}.", "success")
    elif form.form_errors:
        flash(" ".join(form.form_errors), "error")
    return redirect(url_for(".case_study", public_id=public_id))


def _set_featured(public_id: str, featured: bool) -> Response:
    study = _case_study_or_404(public_id)
    if not access.can_feature(session, signed_in_user(), study):
        abort(403)
    form = ConfirmForm()
    if form.validate_on_submit() and _run(
        form,
        lambda: case_studies.set_featured(session, study, user=signed_in_user(), featured=featured),
    ):
        if featured:
            flash(f"Featured “{study.title}” for the whole programme.", "success")
        else:
            flash(f"“{study.title}” is no longer featured.", "info")
    return redirect(url_for(".case_study", public_id=public_id))


@bp.post("/case-studies/<public_id>/feature")
@login_required
def feature(public_id: str) -> Response:
    return _set_featured(public_id, True)


@bp.post("/case-studies/<public_id>/unfeature")
@login_required
def unfeature(public_id: str) -> Response:
    return _set_featured(public_id, False)
