"""The one base class of the refusals a service raises.

A service refuses a command by raising a :class:`DomainError` (or a feature's subclass) with a
message a user can read and, when one field is at fault, that field's name. The web layer
(:func:`insights_lms.web.refuse`) rolls the request's unit of work back and shows the message
beside the field; a CLI command prints it. Nothing the user typed is lost: the form is shown
again with their input.
"""

from __future__ import annotations


class DomainError(ValueError):
    """A command cannot be carried out as given.

    ``field`` names the form field at fault (``None``: the form as a whole).
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        self.message = message
        self.field = field
        super().__init__(message)
