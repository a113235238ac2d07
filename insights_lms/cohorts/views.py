"""A facilitator's view of one cohort: schedule, participants and their coaches."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from insights_lms.cohorts import access, scheduling
from insights_lms.cohorts.forms import MoveModuleForm, NewCohortForm
from insights_lms.cohorts.models import CoachAssignment, Cohort, CohortModule
from insights_lms.cohorts.services import cohort_with_modules
from insights_lms.cohorts.timeline import cohort_timeline
from insights_lms.db import session
from insights_lms.enums import CohortRole
from insights_lms.timeutil import format_local
from insights_lms.web import refuse, signed_in_user

bp = Blueprint("cohorts", __name__, url_prefix="/cohorts")

Page = str | tuple[str, int] | Response


@bp.get("/<code>")
@login_required
def show(code: str) -> str:
    cohort = session.scalar(sa.select(Cohort).where(Cohort.code == code)) or abort(404)
    if not access.can_facilitate(session, current_user, cohort):
        abort(403)
    coach_by_participant = {
        a.participant_id: a.coach
        for a in session.scalars(
            sa.select(CoachAssignment).where(CoachAssignment.cohort_id == cohort.id)
        )
    }
    return render_template(
        "lms/cohorts/show.html",
        cohort=cohort,
        timeline=cohort_timeline(cohort),
        participants=cohort.members(CohortRole.PARTICIPANT),
        coaches=cohort.members(CohortRole.COACH),
        facilitators=cohort.members(CohortRole.FACILITATOR),
        coach_by_participant=coach_by_participant,
        warnings=scheduling.schedule_warnings(cohort),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> Page:
    user = signed_in_user()
    programmes = scheduling.programmes_user_may_run(session, user)
    if not programmes:
        abort(403)
    form = NewCohortForm()
    form.programme.choices = [SelectChoice(p.code, p.title) for p in programmes]
    if form.validate_on_submit():
        programme = next(p for p in programmes if p.code == form.programme.data)
        try:
            cohort = scheduling.start_cohort(
                session,
                programme,
                form.code.data or "",
                form.title.data or "",
                form.first_day.data,
                user,
            )
        except scheduling.ScheduleError as exc:
            refuse(form, exc)
        else:
            flash(
                f"{cohort.title} is created with {len(cohort.cohort_modules)} module sessions.",
                "success",
            )
            return redirect(url_for(".schedule", code=cohort.code))
    page = render_template("lms/cohorts/new.html", form=form)
    return (page, 400) if request.method == "POST" else page


@bp.get("/<code>/schedule")
@login_required
def schedule(code: str) -> str:
    cohort = access.facilitated_cohort_or_404(code)
    return render_template(
        "lms/cohorts/schedule.html",
        cohort=cohort,
        sessions=scheduling.ordered_cohort_modules(cohort),
        windows=sorted(cohort.task_windows, key=lambda w: w.opens_at),
        warnings=scheduling.schedule_warnings(cohort),
        forms={},
    )


def _cohort_module_to_move(code: str, module_code: str) -> tuple[Cohort, CohortModule]:
    cohort = cohort_with_modules(session, access.facilitated_cohort_or_404(code))
    cm = next((s for s in cohort.cohort_modules if s.module.code == module_code), None) or abort(
        404
    )
    return cohort, cm


@bp.route("/<code>/schedule/<module_code>", methods=["GET", "POST"])
@login_required
def move(code: str, module_code: str) -> Page:
    cohort, cm = _cohort_module_to_move(code, module_code)
    zone = ZoneInfo(cohort.programme.time_zone)
    starts = cm.starts_at.astimezone(zone)
    form = (
        MoveModuleForm(
            data={
                "day": starts.date(),
                "start": starts.time().replace(second=0),
                "shift_later": True,
            }
        )
        if request.method == "GET"
        else MoveModuleForm()
    )
    if form.validate_on_submit():
        new_start = dt.datetime.combine(form.day.data, form.start.data, zone).astimezone(dt.UTC)
        try:
            warnings = scheduling.move_cohort_module(
                session,
                cm,
                new_start,
                shift_later=bool(form.shift_later.data),
                moved_by=signed_in_user(),
            )
        except scheduling.ScheduleError as exc:
            refuse(form, exc)
            # The refusal rolled the session back: load the page again.
            cohort, cm = _cohort_module_to_move(code, module_code)
        else:
            flash(f"{cm.module.title} moved to {format_local(cm.starts_at, zone)}.", "success")
            for warning in warnings:
                flash(warning.message, "warning")
            return redirect(url_for(".schedule", code=cohort.code))
    page = render_template("lms/cohorts/move.html", cohort=cohort, cm=cm, form=form)
    return (page, 400) if request.method == "POST" else page
