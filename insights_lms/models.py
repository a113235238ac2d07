"""Every model, so that ``Base.metadata`` is complete (migrations, create_all).

The models are found from the feature list (:mod:`insights_lms.features`): each feature's
``models`` module is imported, and every mapped class is exported here by name.
"""

from __future__ import annotations

from insights_lms.db import Base
from insights_lms.features import feature_modules

feature_modules("models")

_MODELS = {mapper.class_.__name__: mapper.class_ for mapper in Base.registry.mappers}
globals().update(_MODELS)
__all__ = sorted(_MODELS)
