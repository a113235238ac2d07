"""Module pages: what a module is about, when the user's cohort meets, the task after it."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from insights_lms.attendance.services import participant_module_records
from insights_lms.cohorts import access
from insights_lms.cohorts.services import cohorts_seeing_programme
from insights_lms.cohorts.timeline import module_session
from insights_lms.db import session
from insights_lms.enums import CohortRole
from insights_lms.programmes import services

bp = Blueprint("programmes", __name__, url_prefix="/programmes")


@bp.get("/<programme_code>/modules/<module_code>")
@login_required
def module(programme_code: str, module_code: str) -> str:
    mod = services.get_module(session, programme_code, module_code) or abort(404)
    if not access.can_view_programme(session, current_user, mod.programme):
        abort(403)
    cohorts = cohorts_seeing_programme(session, current_user, mod.programme)
    sessions = [(c, module_session(c, mod)) for c in cohorts]
    records = []
    for cohort, cm in sessions:
        if cm is not None and CohortRole.PARTICIPANT in access.roles_in(
            session, current_user, cohort
        ):
            records.append(
                (cohort, participant_module_records(session, current_user, cohort)[cm.id])
            )
    task = mod.task_after
    windows = []
    if task is not None:
        windows = [(c, w) for c in cohorts for w in c.task_windows if w.task_id == task.id]
    return render_template(
        "lms/programmes/module.html",
        module=mod,
        programme=mod.programme,
        sessions=sessions,
        task=task,
        windows=windows,
        records=records,
    )
