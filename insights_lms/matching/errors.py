"""The refusals of the matching feature."""

from __future__ import annotations

from insights_lms.errors import DomainError


class MatchingError(DomainError):
    """A profile or match that cannot be saved; ``field`` names the form field at fault."""
