"""The feature list: the one place that names the feature packages.

A feature is a sub-package of ``insights_lms`` with any of these modules, each found by
name (nothing else lists them):

- ``models``: its tables (imported so that ``Base.metadata`` is complete);
- ``views``: a blueprint ``bp``, registered under the ``lms`` blueprint, in this order;
- ``cli``: a click group ``<feature>_cli``, added to ``flask lms``;
- ``xapi``: ``connect()``, which connects the feature's statement receivers to its signals.

To add a feature, create its package and add its name here.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

#: In URL-registration order (the home page first).
FEATURES = (
    "core",
    "auth",
    "audit",
    "competencies",
    "programmes",
    "cohorts",
    "attendance",
    "assessment",
    "context",
    "feeds",
    "evidence",
    "tasks",
    "progress",
    "coaching",
    "ratings",
    "conversations",
    "matching",
    "peer",
    "portfolio",
    "xapi",
    "lrs_api",
    "feedback",
    "dashboard",
    "enrolment",
    "reminders",
)


def feature_module(feature: str, part: str) -> ModuleType | None:
    """``insights_lms.<feature>.<part>`` if the feature has that module, else ``None``."""
    name = f"insights_lms.{feature}.{part}"
    if importlib.util.find_spec(name) is None:
        return None
    return importlib.import_module(name)


def feature_modules(part: str) -> list[tuple[str, ModuleType]]:
    """Every feature's ``part`` module (``models``, ``views``, ``cli``, ``xapi``), in order."""
    found = []
    for feature in FEATURES:
        module = feature_module(feature, part)
        if module is not None:
            found.append((feature, module))
    return found
