"""Pages of the peer feature."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("peer", __name__, url_prefix="/peer")
