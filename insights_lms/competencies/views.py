"""The framework browser: domains, competencies and the descriptor of every level.

A competency's own page (``framework.competency``) also shows where the programmes develop
it, so it is built by the programmes feature (``insights_lms/programmes/views.py``) on this
blueprint: programmes builds on competencies, never the other way round.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from insights_lms.competencies import services
from insights_lms.db import session

bp = Blueprint("framework", __name__, url_prefix="/framework")


@bp.get("/")
@login_required
def index() -> Response | str:
    frameworks = services.list_frameworks(session)
    if len(frameworks) == 1:
        return redirect(url_for(".show", code=frameworks[0].code))
    return render_template("lms/framework/index.html", frameworks=frameworks)


@bp.get("/<code>/")
@login_required
def show(code: str) -> str:
    framework = services.framework_outline(session, code) or abort(404)
    return render_template("lms/framework/show.html", framework=framework)
