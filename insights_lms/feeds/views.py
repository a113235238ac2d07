"""Views of the feeds feature."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("feeds", __name__)
