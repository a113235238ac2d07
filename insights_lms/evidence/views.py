"""Evidence pages: list, add, view, edit, delete/restore, and file downloads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import login_required
from werkzeug.wrappers import Response

from insights_lms.cohorts.access import own_participant_enrolment
from insights_lms.cohorts.models import Enrolment
from insights_lms.cohorts.services import participant_enrolments
from insights_lms.db import session
from insights_lms.evidence import reviews, services
from insights_lms.evidence.forms import EvidenceForm, ReviewForm
from insights_lms.evidence.models import Evidence
from insights_lms.evidence.outline import competency_outline
from insights_lms.evidence.services import (
    EvidenceError,
    EvidenceInput,
    SaveResult,
    Upload,
    school_challenges_of_programme,
)
from insights_lms.state import settings
from insights_lms.storage import Uploads, get_storage
from insights_lms.storage.sniff import download_name
from insights_lms.web import ConfirmForm, refuse, request_uploads, signed_in_user

bp = Blueprint("evidence", __name__, url_prefix="/evidence")


def _enrolment_or_404(cohort_code: str | None = None) -> Enrolment:
    return own_participant_enrolment(session, signed_in_user(), cohort_code or None) or abort(404)


def _own_evidence_or_404(public_id: str) -> Evidence:
    evidence = services.evidence_for_viewer(session, public_id, signed_in_user())
    if evidence is None or evidence.owner_id != signed_in_user().id:
        abort(404)
    return evidence


def _fill_choices(form: EvidenceForm, enrolment: Enrolment) -> dict[str, Any]:
    """The form's choices, and the competency checkboxes by domain for the template."""
    programme = enrolment.cohort.programme
    framework = programme.framework
    form.competencies.choices = [(c.id, f"{c.code} {c.title}") for c in framework.competencies]
    form.challenges.choices = [
        (c.id, c.title) for c in school_challenges_of_programme(session, programme.id)
    ]
    form.module.choices = [("", "No module")] + [
        (str(m.id), f"{m.title}") for m in programme.modules
    ]
    windows = sorted(enrolment.cohort.task_windows, key=lambda w: w.opens_at)
    form.task.choices = [("", "No practical task")] + [(str(w.id), w.task.title) for w in windows]
    return {"outline": competency_outline(session, framework.id)}


def _input(form: EvidenceForm) -> EvidenceInput:
    return EvidenceInput(
        title=form.title.data or "",
        occurred_on=form.occurred_on.data,
        narrative=form.narrative.data or "",
        competency_ids=list(form.competencies.data or []),
        module_id=int(form.module.data) if form.module.data else None,
        cohort_task_id=int(form.task.data) if form.task.data else None,
        challenge_ids=list(form.challenges.data or []),
    )


def _uploads() -> list[Upload]:
    return [
        Upload(f.filename or "file", f.stream)
        for f in request.files.getlist("files")
        if f and f.filename
    ]


def _report_refusals(refused: list[str]) -> None:
    for message in refused:
        flash(f"Not added: {message}", "error")


def _max_file_size() -> int:
    return settings().max_upload_mb * 1024 * 1024


@bp.get("/")
@login_required
def index() -> str:
    enrolments = participant_enrolments(session, signed_in_user())
    enrolment = enrolments[0] if enrolments else None
    if request.args.get("cohort"):
        enrolment = next((e for e in enrolments if e.cohort.code == request.args["cohort"]), None)
        if enrolment is None:
            abort(404)
    if enrolment is not None:
        enrolment = services.enrolment_with_programme(session, enrolment)
    items = services.evidence_of(session, enrolment) if enrolment else []
    deleted = services.evidence_of(session, enrolment, deleted=True) if enrolment else []
    latest = reviews.latest_reviews(session, [e.id for e in items])
    return render_template(
        "lms/evidence/index.html",
        enrolment=enrolment,
        items=items,
        statuses={e.id: reviews.review_status(e, latest.get(e.id)) for e in items},
        deleted=deleted,
        confirm=ConfirmForm(),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> Response | str | tuple[str, int]:
    enrolment = _enrolment_or_404(request.args.get("cohort"))
    form = EvidenceForm()
    context = _fill_choices(form, enrolment)
    del form.remove_files
    if request.method == "GET":
        form.task.data = request.args.get("task", "")
        form.module.data = request.args.get("module", "")
        if request.args.get("competency", "").isdigit():
            form.competencies.data = [int(request.args["competency"])]
    if form.validate_on_submit():
        result = _save(
            form,
            lambda uploads: services.create_evidence(
                session,
                uploads,
                enrolment=enrolment,
                user=signed_in_user(),
                data=_input(form),
                files=_uploads(),
                max_file_size=_max_file_size(),
            ),
        )
        if result is not None:
            flash(f"Saved your evidence “{result.evidence.title}”.", "success")
            return redirect(url_for(".show", public_id=result.evidence.public_id))
    status = 400 if request.method == "POST" else 200
    return render_template("lms/evidence/form.html", form=form, evidence=None, **context), status


def _save(form: EvidenceForm, action: Callable[[Uploads], SaveResult]) -> SaveResult | None:
    """Run ``action`` with uploads tied to the request's unit of work: on a refusal, or if the
    commit fails, nothing is kept (no file, no row) and the message goes on the form; refused
    files are reported."""
    try:
        result = action(request_uploads(get_storage()))
    except EvidenceError as exc:
        refuse(form, exc)
        return None
    _report_refusals(result.refused)
    return result


def render_show(evidence: Evidence, review_form: ReviewForm | None = None) -> str:
    """The evidence page; reviewers get the review form (``review_form`` keeps their input).

    The evidence is loaded again with all the page shows: after a refused review the request
    was rolled back, and what the session had loaded is expired."""
    evidence = services.evidence_with_details(session, evidence)
    may_review = reviews.can_review(session, signed_in_user(), evidence)
    if may_review and review_form is None:
        review_form = ReviewForm()
    history = reviews.review_history(session, evidence)
    return render_template(
        "lms/evidence/show.html",
        evidence=evidence,
        is_owner=evidence.owner_id == signed_in_user().id,
        confirm=ConfirmForm(),
        review_form=review_form if may_review else None,
        reviews=history,
        review_status=reviews.review_status(evidence, history[0] if history else None),
    )


@bp.get("/<public_id>")
@login_required
def show(public_id: str) -> str:
    evidence = services.evidence_for_viewer(session, public_id, signed_in_user()) or abort(404)
    return render_show(evidence)


@bp.route("/<public_id>/edit", methods=["GET", "POST"])
@login_required
def edit(public_id: str) -> Response | str | tuple[str, int]:
    evidence = _own_evidence_or_404(public_id)
    if evidence.is_deleted:
        flash("Restore this evidence before changing it.", "error")
        return redirect(url_for(".index"))
    form = EvidenceForm(obj=None if request.method == "POST" else evidence)
    context = _fill_choices(form, evidence.enrolment)
    form.remove_files.choices = [(f.public_id, f.original_name) for f in evidence.files]
    if request.method == "GET":
        form.competencies.data = [c.id for c in evidence.competencies]
        form.challenges.data = [c.id for c in evidence.challenges]
        form.module.data = str(evidence.module_id or "")
        form.task.data = str(evidence.cohort_task_id or "")
    if form.validate_on_submit():
        result = _save(
            form,
            lambda uploads: services.update_evidence(
                session,
                uploads,
                evidence,
                user=signed_in_user(),
                data=_input(form),
                files=_uploads(),
                remove_file_ids=form.remove_files.data or [],
                max_file_size=_max_file_size(),
            ),
        )
        if result is not None:
            flash("Saved your changes.", "success")
            return redirect(url_for(".show", public_id=evidence.public_id))
        # Refused: the request was rolled back, so load again the files the page lists.
        evidence = services.evidence_with_details(session, evidence)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "lms/evidence/form.html", form=form, evidence=evidence, **context
    ), status


@bp.post("/<public_id>/delete")
@login_required
def delete(public_id: str) -> Response:
    evidence = _own_evidence_or_404(public_id)
    if ConfirmForm().validate_on_submit():
        services.delete_evidence(session, evidence, signed_in_user())
        flash(
            f"Deleted “{evidence.title}”. You can restore it from the deleted evidence list.",
            "info",
        )
    return redirect(url_for(".index"))


@bp.post("/<public_id>/restore")
@login_required
def restore(public_id: str) -> Response:
    evidence = _own_evidence_or_404(public_id)
    if ConfirmForm().validate_on_submit():
        services.restore_evidence(session, evidence, signed_in_user())
        flash(f"Restored “{evidence.title}”.", "success")
    return redirect(url_for(".show", public_id=evidence.public_id))


def _send(key: str, mimetype: str, name: str, *, inline: bool) -> Response:
    storage = get_storage()
    if not storage.exists(key):
        abort(404)
    response = send_file(
        storage.open(key),
        mimetype=mimetype,
        as_attachment=not inline,
        download_name=name,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    if inline:
        response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response


@bp.get("/files/<public_id>")
@login_required
def download(public_id: str) -> Response:
    stored = services.file_for_viewer(session, public_id, signed_in_user()) or abort(404)
    return _send(
        stored.storage_key,
        stored.mimetype,
        download_name(stored.original_name, stored.mimetype),
        inline=False,
    )


@bp.get("/files/<public_id>/thumbnail")
@login_required
def thumbnail(public_id: str) -> Response:
    stored = services.file_for_viewer(session, public_id, signed_in_user()) or abort(404)
    if not stored.thumbnail_key:
        abort(404)
    return _send(stored.thumbnail_key, "image/jpeg", "thumbnail.jpg", inline=True)
