"""The Statement API (``/xapi/statements``, ``/xapi/about``)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("lrs_api", __name__, url_prefix="/xapi")
