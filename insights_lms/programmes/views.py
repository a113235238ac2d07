"""The programme's pages: a competency's page in the framework browser (where the programmes
develop it) and the ``programmes`` blueprint for module pages.

A module page (``programmes.module``) shows when the user's cohorts meet and the user's own
record of the module, so its view lives with attendance (``insights_lms/attendance/views.py``),
on this blueprint: cohorts and attendance build on programmes, never the other way round.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import login_required

from insights_lms.competencies import services as competencies
from insights_lms.competencies.views import bp as framework_bp
from insights_lms.db import session
from insights_lms.programmes import services

bp = Blueprint("programmes", __name__, url_prefix="/programmes")


@framework_bp.get("/<code>/<competency_code>")
@login_required
def competency(code: str, competency_code: str) -> str:
    """A competency of the framework, and the modules and tasks that develop it."""
    framework = competencies.get_framework(session, code) or abort(404)
    comp = competencies.get_competency(session, framework, competency_code) or abort(404)
    return render_template(
        "lms/framework/competency.html",
        framework=framework,
        competency=comp,
        modules=services.modules_for(session, comp),
        tasks=services.tasks_for(session, comp),
    )
