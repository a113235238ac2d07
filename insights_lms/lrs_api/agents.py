"""Agents in statements: an agent's identifier, the users a statement's actor can be, the
agents a filter on ``agent`` looks at, and the authority the app vouches with.
"""

from __future__ import annotations

import hashlib
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from insights_lms.auth.models import User
from insights_lms.xapi.statements import PLATFORM

AUTHORITY_ACCOUNT = "insights-lms"

#: An agent's inverse functional identifier: ``("mbox", "mailto:…")``, ``("mbox_sha1sum",
#: hex)``, ``("openid", uri)`` or ``("account", homePage, name)``.
AgentKey = tuple[str, ...]


def agent_key(agent: Any) -> AgentKey | None:
    """The identifier of an Agent or identified Group, or ``None`` (none, or more than one)."""
    if not isinstance(agent, dict):
        return None
    present = [kind for kind in ("mbox", "mbox_sha1sum", "openid", "account") if kind in agent]
    if len(present) != 1:
        return None
    kind = present[0]
    value = agent[kind]
    if kind == "account":
        if not isinstance(value, dict):
            return None
        home, name = value.get("homePage"), value.get("name")
        if not isinstance(home, str) or not isinstance(name, str):
            return None
        return (kind, home, name)
    if not isinstance(value, str):
        return None
    # Email addresses and hex digests are compared without regard to case.
    return (kind, value.lower() if kind in ("mbox", "mbox_sha1sum") else value)


def authority(base_iri: str) -> dict[str, Any]:
    """The agent that vouches for every statement served: the app itself."""
    return {
        "objectType": "Agent",
        "name": PLATFORM,
        "account": {"homePage": base_iri, "name": AUTHORITY_ACCOUNT},
    }


def actor_names(session: Session, key: AgentKey) -> list[str]:
    """The ``actor_name`` values (user public ids) a statement by this agent can have."""
    kind = key[0]
    if kind == "account":
        return [key[2]]
    if kind == "mbox":
        email = key[1].removeprefix("mailto:")
        return list(session.scalars(sa.select(User.public_id).where(User.email == email)))
    if kind == "mbox_sha1sum":
        return [
            public_id
            for public_id, email in session.execute(sa.select(User.public_id, User.email))
            if _sha1(f"mailto:{email}") == key[1]
        ]
    return []  # the app never identifies people by OpenID


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def agents_in(statement: dict[str, Any], *, related: bool) -> list[Any]:
    """The Agent/Group objects a filter on ``agent`` looks at (actor and object; with
    ``related``, also instructor, team and the same inside a SubStatement), and the members of
    any group among them (a group with the agent as member matches, 2.1.3)."""
    found = [statement.get("actor")]
    target = statement.get("object")
    if isinstance(target, dict) and target.get("objectType") in ("Agent", "Group"):
        found.append(target)
    if related:
        context = statement.get("context") or {}
        found += [context.get("instructor"), context.get("team")]
        if isinstance(target, dict) and target.get("objectType") == "SubStatement":
            found += agents_in(target, related=True)
    members = [
        member
        for agent in found
        if isinstance(agent, dict) and isinstance(agent.get("member"), list)
        for member in agent["member"]
    ]
    return found + members
