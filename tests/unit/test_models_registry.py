"""Every model is listed by insights_lms.models, which migrations and create_all rely on."""

from __future__ import annotations

import importlib
import pkgutil

import insights_lms
import insights_lms.models as registry
from insights_lms.db import Base


def test_every_feature_model_is_listed_in_insights_lms_models():
    for module in pkgutil.walk_packages(insights_lms.__path__, "insights_lms."):
        if module.name.endswith(".models") and module.name != "insights_lms.models":
            importlib.import_module(module.name)
    defined = {mapper.class_.__name__ for mapper in Base.registry.mappers}
    assert defined - set(registry.__all__) == set()
