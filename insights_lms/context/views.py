"""Views of the context feature."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("context", __name__)
