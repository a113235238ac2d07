"""The matching ranking on its own: pure (no database, no session), and still the one the
board uses. (The ranking's rules are tested in ``test_matching.py``.)"""

from __future__ import annotations

import ast
from pathlib import Path

from insights_lms.auth.models import User
from insights_lms.enums import SchoolPhase
from insights_lms.matching import ranking
from insights_lms.matching.ranking import CoachOffer, Need, rank, suggest


def test_the_ranking_module_needs_no_database():
    tree = ast.parse(Path(ranking.__file__).read_text())
    runtime = [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
    modules = {
        alias.name if isinstance(node, ast.Import) else node.module or ""
        for node in runtime
        for alias in node.names
    }
    assert not {m for m in modules if m.startswith(("sqlalchemy", "insights_lms.db"))}
    assert not {m for m in modules if m.endswith((".models", ".services", ".board"))}


def test_offers_without_a_profile_rank_by_name_and_say_why():
    zoe, adam = User(id=2, name="Zoe Price"), User(id=1, name="adam Hart")
    need = Need(User(id=9, name="Amina Rahman"), SchoolPhase.PRIMARY)
    ranked = rank(need, [CoachOffer(zoe), CoachOffer(adam)])
    assert [s.coach.name for s in ranked] == ["adam Hart", "Zoe Price"]
    assert all(s.score == 0 and not s.is_full for s in ranked)
    assert [r.text for r in ranked[0].cautions] == [
        "No coach profile yet: phases, strengths and capacity are not known"
    ]


def test_suggest_counts_the_phase_once_for_a_coach_with_room():
    need = Need(User(id=9, name="Amina Rahman"), SchoolPhase.SECONDARY)
    offer = CoachOffer(
        User(id=3, name="Helen Okafor"),
        load=1,
        has_profile=True,
        capacity=1,
        phases=frozenset({SchoolPhase.SECONDARY}),
    )
    suggestion = suggest(need, offer)
    assert suggestion.score == ranking.PHASE_POINTS
    assert suggestion.is_full
    assert [r.text for r in suggestion.cautions] == ["Full: 1 of 1 places taken"]
