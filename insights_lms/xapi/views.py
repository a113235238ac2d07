"""The xAPI forwarding status page for facilitators and administrators."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("xapi", __name__, url_prefix="/admin/xapi")
