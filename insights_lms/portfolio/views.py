"""Portfolio pages: what a user may download, the download options, the PDFs and the CSV."""

from __future__ import annotations

import io

from flask import Blueprint, abort, render_template, request, send_file
from flask_login import login_required
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from insights_lms.cohorts.models import Cohort, Enrolment
from insights_lms.db import session
from insights_lms.portfolio import services
from insights_lms.portfolio.forms import PortfolioOptionsForm
from insights_lms.portfolio.render import (
    RenderedPDF,
    render_cohort_report,
    render_portfolio,
    report_filename,
)
from insights_lms.portfolio.reports import cohort_report, report_csv
from insights_lms.portfolio.services import PortfolioError, PortfolioOptions
from insights_lms.web import attach_error, signed_in_user

bp = Blueprint("portfolio", __name__, url_prefix="/portfolio")


def _enrolment_or_404(cohort_code: str, participant_id: str) -> Enrolment:
    enrolment = services.enrolment_for_viewer(
        session, signed_in_user(), cohort_code, participant_id
    )
    if enrolment is None:
        abort(404)
    return enrolment


def _cohort_or_404(cohort_code: str) -> Cohort:
    cohort = services.cohort_for_facilitator(session, signed_in_user(), cohort_code)
    if cohort is None:
        abort(404)
    return cohort


def _pdf(rendered: RenderedPDF) -> Response:
    response = send_file(
        io.BytesIO(rendered.data),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=rendered.filename,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _options_form(
    enrolment: Enrolment, formdata: MultiDict[str, str] | None
) -> PortfolioOptionsForm:
    form = PortfolioOptionsForm(formdata=formdata)
    competencies = enrolment.cohort.programme.framework.competencies
    form.competencies.choices = [(c.id, f"{c.code} {c.title}") for c in competencies]
    if formdata is None or "options" not in formdata:
        form.competencies.data = [c.id for c in competencies]
    return form


def _options_page(enrolment: Enrolment, form: PortfolioOptionsForm) -> str:
    return render_template(
        "lms/portfolio/options.html",
        enrolment=enrolment,
        form=form,
        domains=services.option_domains(session, enrolment),
    )


@bp.get("/")
@login_required
def index() -> str:
    return render_template(
        "lms/portfolio/index.html", offer=services.downloadable(session, signed_in_user())
    )


@bp.get("/<cohort_code>/<participant_id>/")
@login_required
def options(cohort_code: str, participant_id: str) -> str:
    enrolment = _enrolment_or_404(cohort_code, participant_id)
    return _options_page(enrolment, _options_form(enrolment, None))


@bp.get("/<cohort_code>/<participant_id>/portfolio.pdf")
@login_required
def download(cohort_code: str, participant_id: str) -> Response | tuple[str, int]:
    enrolment = _enrolment_or_404(cohort_code, participant_id)
    submitted = "options" in request.args
    form = _options_form(enrolment, request.args if submitted else None)
    if submitted and form.validate():
        try:
            chosen = services.check_options(
                enrolment,
                date_from=form.date_from.data,
                date_to=form.date_to.data,
                competency_ids=form.competencies.data or [],
                embed_attachments=bool(form.attachments.data),
            )
        except PortfolioError as exc:
            # Checking the options writes nothing: no work to undo, and the page shows the
            # enrolment as loaded (a rollback would expire it).
            attach_error(form, exc.message, exc.field)
            return _options_page(enrolment, form), 400
    elif submitted:
        return _options_page(enrolment, form), 400
    else:
        chosen = PortfolioOptions()
    return _pdf(render_portfolio(session, enrolment, chosen))


@bp.get("/<cohort_code>/")
@login_required
def cohort(cohort_code: str) -> str:
    found = _cohort_or_404(cohort_code)
    return render_template(
        "lms/portfolio/cohort.html", cohort=found, report=cohort_report(session, found)
    )


@bp.get("/<cohort_code>/report.pdf")
@login_required
def report_pdf(cohort_code: str) -> Response:
    return _pdf(render_cohort_report(session, _cohort_or_404(cohort_code)))


@bp.get("/<cohort_code>/report.csv")
@login_required
def report_csv_download(cohort_code: str) -> Response:
    found = _cohort_or_404(cohort_code)
    # A byte-order mark, so that Excel reads the UTF-8 names correctly.
    data = ("\ufeff" + report_csv(cohort_report(session, found))).encode("utf-8")
    response = send_file(
        io.BytesIO(data),
        mimetype="text/csv",
        as_attachment=True,
        download_name=report_filename(found, "csv"),
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
