"""Find the shipped templates and content, both in an installed wheel and in a checkout.

The wheel carries ``templates/``, ``competencies/`` and ``modules/`` inside the package as
``insights_lms/_content/...`` (hatchling ``force-include``); a checkout (including an editable
install) has them at the repository root, beside the package.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_BUNDLED = PACKAGE_DIR / "_content"
_CHECKOUT = PACKAGE_DIR.parent


def resource_dir(name: str) -> Path:
    """The directory holding ``name`` (``templates``, ``competencies`` or ``modules``)."""
    for base in (_BUNDLED, _CHECKOUT):
        candidate = base / name
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"Insights LMS cannot find its {name!r} folder (looked in {_BUNDLED} and {_CHECKOUT})"
    )


def templates_dir() -> Path:
    return resource_dir("templates")


def competencies_dir() -> Path:
    return resource_dir("competencies")


def modules_dir() -> Path:
    return resource_dir("modules")


def static_dir() -> Path:
    return PACKAGE_DIR / "static"
