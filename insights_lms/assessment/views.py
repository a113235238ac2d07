"""Views of the assessment feature."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("assessment", __name__)
