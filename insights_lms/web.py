"""The request layer's helpers: who is signed in, refusals on forms, and the unit of work.

**One unit of work per request.** Views call services, which ``flush()`` and never commit.
The ``lms`` blueprint commits once when a view has answered with a success or a redirect
(:func:`commit_request`, an ``after_request`` handler) and rolls back otherwise — an error
page, an abort, an exception, or a refusal (:func:`refuse`). Work outside the database that
must follow the transaction (files saved for an upload) registers with
:func:`on_rollback` / :func:`after_commit`, so that a failed request leaves neither a row nor
a stray file. Views contain no ``commit()``/``rollback()`` of their own.

A refused command (a :class:`~insights_lms.errors.DomainError`) is handled in the view::

    try:
        services.do_the_thing(session, ...)
    except DomainError as error:
        refuse(form, error)        # roll back; the message goes beside its field
    else:
        flash("Done.", "success")
        return redirect(...)
    return render_template(...), 400
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import g
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SubmitField

from insights_lms.db import session
from insights_lms.errors import DomainError
from insights_lms.storage import Storage, Uploads

if TYPE_CHECKING:
    from insights_lms.auth.models import User


def signed_in_user() -> User:
    """The signed-in user (views are ``login_required``, so there always is one)."""
    user: User = current_user
    return user


# --- forms ---------------------------------------------------------------------------------


class ConfirmForm(FlaskForm):
    """An empty form: it exists for its CSRF token (a button that changes one thing)."""

    submit = SubmitField("Confirm")


def attach_error(form: FlaskForm, message: str, field: str | None = None) -> None:
    """Show a message beside the field it names, else at the top of the form."""
    target = getattr(form, field, None) if field else None
    if target is not None:
        target.errors = [*target.errors, message]
    else:
        form.form_errors.append(message)


def refuse(form: FlaskForm | None, error: DomainError) -> None:
    """A service refused the command: undo the request's work so far (database and files)
    and, when there is a form, put the reason beside the field at fault."""
    rollback_request()
    if form is not None:
        attach_error(form, error.message, error.field)


# --- the unit of work ----------------------------------------------------------------------


@dataclass
class _UnitOfWork:
    rollback_hooks: list[Callable[[], None]] = field(default_factory=list)
    commit_hooks: list[Callable[[], None]] = field(default_factory=list)
    #: Set once the request's work was rolled back: nothing after that is committed.
    abandoned: bool = False
    #: Commit even though the response is an error (a refusal that must be remembered).
    keep_on_error: bool = False


def _unit_of_work() -> _UnitOfWork:
    if "lms_unit_of_work" not in g:
        g.lms_unit_of_work = _UnitOfWork()
    work: _UnitOfWork = g.lms_unit_of_work
    return work


def on_rollback(hook: Callable[[], None]) -> None:
    """Run ``hook`` if this request's work is rolled back."""
    _unit_of_work().rollback_hooks.append(hook)


def after_commit(hook: Callable[[], None]) -> None:
    """Run ``hook`` once this request's work is committed."""
    _unit_of_work().commit_hooks.append(hook)


def request_uploads(storage: Storage) -> Uploads:
    """An upload batch tied to the request: files saved are deleted if the request's work is
    rolled back; files the work removed are deleted once it is committed."""
    uploads = Uploads(storage)

    def delete_saved() -> None:
        for key in uploads.saved:
            storage.delete(key)

    def delete_removed() -> None:
        for key in uploads.to_delete_after_commit:
            storage.delete(key)

    on_rollback(delete_saved)
    after_commit(delete_removed)
    return uploads


def keep_despite_error_status() -> None:
    """Commit this request's work even if it answers with an error status: for a refusal that
    must itself be recorded (a failed sign-in attempt that answers 429, an API client's
    last use)."""
    _unit_of_work().keep_on_error = True


def rollback_request() -> None:
    """Undo the request's work now (database and registered side effects)."""
    work = _unit_of_work()
    session.rollback()
    hooks, work.rollback_hooks, work.commit_hooks = work.rollback_hooks, [], []
    work.abandoned = True
    for hook in hooks:
        hook()


def commit_request(response: Response) -> Response:
    """``after_request``: commit the request's work if the view succeeded (2xx, 3xx)."""
    work = _unit_of_work()
    if work.abandoned or (response.status_code >= 400 and not work.keep_on_error):
        rollback_request()
        return response
    try:
        session.commit()
    except Exception:
        rollback_request()
        raise
    hooks, work.commit_hooks, work.rollback_hooks = work.commit_hooks, [], []
    for hook in hooks:
        hook()
    return response


def end_request(error: BaseException | None) -> None:
    """``teardown_request``: work that was neither committed nor rolled back (an exception
    before any response) is rolled back, with its side effects."""
    work = g.get("lms_unit_of_work")
    if work is not None and (work.rollback_hooks or error is not None):
        rollback_request()
