"""Pages of the conversations feature."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("conversations", __name__, url_prefix="/conversations")
