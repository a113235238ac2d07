"""What is served: a stored statement as an LRS returns it (``stored``, ``authority``,
``version``), in the ``exact``, ``ids`` or ``canonical`` format (xAPI 1.0.3, part three, 2.1.3),
and timestamps as served.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from insights_lms.lrs_api.agents import agent_key, authority
from insights_lms.lrs_api.filters import as_list
from insights_lms.xapi.models import XapiStatement
from insights_lms.xapi.statements import utc_millis

#: The version a statement without one is given on the way out (part two, 2.4.10).
DEFAULT_VERSION = "1.0.0"
#: Picks the best of a language map's languages for the request (``Accept-Language``).
LanguagePicker = Callable[[Sequence[str]], str | None]


def iso(value: dt.datetime) -> str:
    """A timestamp as served: UTC, to the millisecond, with its offset."""
    return utc_millis(value).isoformat(timespec="milliseconds")


def present(
    row: XapiStatement,
    *,
    base_iri: str,
    statement_format: str = "exact",
    pick_language: LanguagePicker | None = None,
) -> dict[str, Any]:
    """The statement as an LRS serves it: with ``stored`` (when the app recorded it),
    ``authority`` (the app) and ``version`` (1.0.0 when the producer set none), in ``format``."""
    data = copy.deepcopy(row.statement)
    data["stored"] = iso(row.created_dt)
    data["authority"] = authority(base_iri)
    data.setdefault("version", DEFAULT_VERSION)
    if statement_format == "ids":
        return _ids_statement(data)
    if statement_format == "canonical":
        _filter_languages(data, pick_language or (lambda _languages: None))
    return data


def _ids_agent(agent: Any) -> Any:
    if not isinstance(agent, dict):
        return agent
    out: dict[str, Any] = {}
    if "objectType" in agent:
        out["objectType"] = agent["objectType"]
    key = agent_key(agent)
    if key is not None:
        kind = key[0]
        out[kind] = agent[kind]
    elif isinstance(agent.get("member"), list):  # an anonymous group: its members identify it
        out["member"] = [_ids_agent(member) for member in agent["member"]]
    return out


def _ids_object(target: Any) -> Any:
    if not isinstance(target, dict):
        return target
    kind = target.get("objectType", "Activity")
    if kind == "Activity":
        return {key: target[key] for key in ("objectType", "id") if key in target}
    if kind in ("Agent", "Group"):
        return _ids_agent(target)
    if kind == "SubStatement":
        return _ids_statement(target)
    return target  # a StatementRef is already only an id


def _ids_statement(data: dict[str, Any]) -> dict[str, Any]:
    """``format=ids``: agents, activities and verbs reduced to what identifies them."""
    out = dict(data)
    out["actor"] = _ids_agent(data.get("actor"))
    if isinstance(data.get("verb"), dict):
        out["verb"] = {"id": data["verb"].get("id")}
    out["object"] = _ids_object(data.get("object"))
    if "authority" in data:
        out["authority"] = _ids_agent(data["authority"])
    context = data.get("context")
    if isinstance(context, dict):
        context = dict(context)
        for role in ("instructor", "team"):
            if role in context:
                context[role] = _ids_agent(context[role])
        kinds = context.get("contextActivities")
        if isinstance(kinds, dict):
            context["contextActivities"] = {
                kind: [_ids_object(a) for a in as_list(value)] for kind, value in kinds.items()
            }
        out["context"] = context
    return out


def _best(language_map: Any, pick_language: LanguagePicker) -> Any:
    if not isinstance(language_map, dict) or len(language_map) <= 1:
        return language_map
    chosen = pick_language(list(language_map)) or next(iter(language_map))
    return {chosen: language_map[chosen]}


def _filter_activity(activity: Any, pick_language: LanguagePicker) -> None:
    if not isinstance(activity, dict) or not isinstance(activity.get("definition"), dict):
        return
    definition = activity["definition"]
    for key in ("name", "description"):
        if key in definition:
            definition[key] = _best(definition[key], pick_language)
    for components in ("choices", "scale", "source", "target", "steps"):
        for component in definition.get(components) or []:
            if isinstance(component, dict) and "description" in component:
                component["description"] = _best(component["description"], pick_language)


def _filter_languages(data: dict[str, Any], pick_language: LanguagePicker) -> None:
    """``format=canonical``: one language per language map of verbs and activities, the best
    for the request. The definitions are as the statement gave them (the app's own are the
    canonical ones: it is the only source of its activities)."""
    verb = data.get("verb")
    if isinstance(verb, dict) and "display" in verb:
        verb["display"] = _best(verb["display"], pick_language)
    target = data.get("object")
    if isinstance(target, dict) and target.get("objectType") == "SubStatement":
        _filter_languages(target, pick_language)
    else:
        _filter_activity(target, pick_language)
    kinds = (data.get("context") or {}).get("contextActivities") or {}
    for value in kinds.values():
        for activity in as_list(value):
            _filter_activity(activity, pick_language)
