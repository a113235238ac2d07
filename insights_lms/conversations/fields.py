"""The names of the record form's per-competency and per-action fields.

Shared by the forms and the validation, so that a refusal lands beside the field at fault.
"""

from __future__ import annotations


def focus_name(competency_id: int) -> str:
    return f"focus_{competency_id}"


def coach_level_name(competency_id: int) -> str:
    return f"coach_level_{competency_id}"


def agreed_level_name(competency_id: int) -> str:
    return f"agreed_level_{competency_id}"


def notes_name(competency_id: int) -> str:
    return f"notes_{competency_id}"


def action_name(row: int, part: str) -> str:
    """``part`` is description, owner, due or competency; rows count from 1."""
    return f"action_{row}_{part}"


def review_name(action_id: int) -> str:
    return f"review_{action_id}"


def review_comment_name(action_id: int) -> str:
    return f"review_{action_id}_comment"
