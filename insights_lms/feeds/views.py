"""The calendar settings page, resetting the link, and the feed itself (no sign-in)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response as WerkzeugResponse

from insights_lms.cohorts.models import CohortTask
from insights_lms.db import session
from insights_lms.feeds import services
from insights_lms.feeds.forms import FeedLinkForm, ResetFeedForm
from insights_lms.programmes.models import Module

bp = Blueprint("feeds", __name__, url_prefix="/calendar")


def _feed_url(token: str) -> str:
    return url_for("lms.feeds.ics", token=token, _external=True)


@bp.get("/")
@login_required
def settings() -> str:
    # The first visit creates the user's feed (kept: the unit of work commits a 200).
    feed = services.feed_for(session, current_user)
    url = _feed_url(feed.token)
    return render_template(
        "lms/feeds/settings.html",
        feed=feed,
        link_form=FeedLinkForm(data={"url": url}),
        webcal_url="webcal://" + url.split("://", 1)[1],
        form=ResetFeedForm(),
    )


@bp.post("/reset")
@login_required
def reset() -> WerkzeugResponse:
    form = ResetFeedForm()
    if form.validate_on_submit():
        services.reset_feed(session, current_user)
        flash(
            "Your calendar link has been reset. Calendars subscribed to the old link will stop "
            "updating: subscribe again with the new link below.",
            "success",
        )
    return redirect(url_for("lms.feeds.settings"))


def _module_url(module: Module) -> str:
    return url_for(
        "lms.programmes.module",
        programme_code=module.programme.code,
        module_code=module.code,
        _external=True,
    )


def _task_url(window: CohortTask) -> str:
    try:
        return url_for("lms.tasks.show", window_id=window.id, _external=True)
    except BuildError:  # without the tasks feature: the task on its module's page
        return _module_url(window.task.after_module) + "#practical-task"


# No login_required: calendar apps cannot sign in, the secret token is the credential.
@bp.get("/<token>.ics")
def ics(token: str) -> Response:
    user = services.user_for_token(session, token) or abort(404)
    body = services.build_calendar(
        session,
        user,
        host=urlsplit(request.host_url).hostname or "insights-lms",
        module_url=_module_url,
        task_url=_task_url,
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = "inline; filename=insights.ics"
    response.headers["Cache-Control"] = "private, max-age=300"
    # The URL is a secret: never leak it to other sites through the Referer header.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
