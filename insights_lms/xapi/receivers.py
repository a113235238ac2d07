"""What every feature's statement receivers share: the session of the event, and connecting.

A receiver builds its statement and adds it to the sender's session without flushing or
committing: the request or command that caused the event commits both, or rolls both back. A
receiver that fails makes the event fail too: a statement is never silently skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from blinker import Signal
from sqlalchemy.orm import Session, object_session

Receiver = Callable[..., None]


def session_of(sender: Any) -> Session:
    """The session (transaction) the event's object is in, where its statement goes."""
    session = object_session(sender)
    if session is None:
        raise RuntimeError(f"{sender!r} is not in a session: cannot record its xAPI statement")
    return session


def connect_receivers(receivers: Iterable[tuple[Signal, Receiver]]) -> None:
    """Connect each receiver to its signal, strongly (they live as long as the process).

    Blinker signals are global and connecting a receiver twice keeps one connection, so this is
    safe to call for every app that is set up in the process.
    """
    for signal, receiver in receivers:
        signal.connect(receiver, weak=False)
