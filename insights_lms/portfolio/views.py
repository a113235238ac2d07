"""Pages of the portfolio feature."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("portfolio", __name__, url_prefix="/portfolio")
