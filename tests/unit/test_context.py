"""School context profiles ("context-responsive practice") without HTTP.

A participant records the phase and size of their school and rates how much each of the
programme's challenges weighs on it now. Ratings are never overwritten, so the leader can
show how their context moved over the year. The challenges come from the programme YAML, so
facilitators can extend the list; one that participants have used cannot be removed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from insights_lms import signals
from insights_lms.content.loader import ContentError, load_content_dirs
from insights_lms.context import services
from insights_lms.context.models import SchoolChallenge, SchoolChallengeRating, SchoolContext
from insights_lms.db import Base
from insights_lms.enums import CohortRole, SchoolPhase
from insights_lms.programmes.models import Programme
from tests.factories import enrolled, make_cohort, make_user, utc
from tests.unit.test_content_loader import (
    FRAMEWORK_FILE,
    PROGRAMME_FILE,
    make_framework,
    make_programme,
    write_content,
)

SHIPPED_CHALLENGES = [
    "child-poverty",
    "pupil-attendance",
    "staff-recruitment-retention",
    "disadvantage-gap",
    "send-needs",
    "mental-health",
    "constrained-resources",
]
T0 = utc(2026, 10, 1, 9, 0)
T1 = utc(2026, 12, 1, 9, 0)
T2 = utc(2027, 3, 1, 9, 0)


# --- content: the programme's list of challenges ----------------------------------------


def challenge(code: str, title: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"code": code, "title": title or code.replace("-", " ").capitalize(), **extra}


def programme_with(challenges: list[dict[str, Any]]) -> dict[str, Any]:
    data = make_programme()
    data["challenges"] = challenges
    return data


def load(db: Session, root: Path, challenges: list[dict[str, Any]]) -> Any:
    comp, mods = write_content(
        root, {FRAMEWORK_FILE: make_framework()}, {PROGRAMME_FILE: programme_with(challenges)}
    )
    report = load_content_dirs(db, comp, mods)
    db.commit()
    return report


def challenge_rows(db: Session) -> list[tuple[str, str, int]]:
    db.expire_all()
    rows = db.execute(
        sa.select(SchoolChallenge.code, SchoolChallenge.title, SchoolChallenge.position).order_by(
            SchoolChallenge.position
        )
    )
    return [tuple(row) for row in rows]


def test_shipped_programme_lists_the_seven_challenges(db, content):
    challenges = db.scalars(sa.select(SchoolChallenge).order_by(SchoolChallenge.position)).all()
    assert [c.code for c in challenges] == SHIPPED_CHALLENGES
    assert [c.title for c in challenges][:2] == ["Child poverty", "Pupil attendance"]
    assert all(c.description.strip() and c.programme.code == "insights-2026" for c in challenges)


def test_challenges_load_in_file_order_and_an_unchanged_reload_changes_nothing(db, tmp_path):
    listed = [
        challenge("pupil-attendance", "Pupil attendance", description="Pupils miss school."),
        challenge("child-poverty", "Child poverty"),
    ]
    first = load(db, tmp_path, listed)
    assert challenge_rows(db) == [
        ("pupil-attendance", "Pupil attendance", 0),
        ("child-poverty", "Child poverty", 1),
    ]
    assert db.scalar(
        sa.select(SchoolChallenge.description).where(SchoolChallenge.position == 0)
    ) == ("Pupils miss school.")

    again = load(db, tmp_path, listed)

    assert (again.created, again.updated, again.removed) == (0, 0, 0)
    assert again.unchanged == first.created
    assert len(challenge_rows(db)) == 2


def test_a_facilitator_extends_and_edits_the_list_in_the_content(db, tmp_path):
    load(db, tmp_path, [challenge("child-poverty", "Child poverty")])
    first_id = db.scalar(sa.select(SchoolChallenge.id))

    report = load(
        db,
        tmp_path,
        [challenge("oracy", "Oracy"), challenge("child-poverty", "Child poverty in our area")],
    )

    assert (report.created, report.updated) == (1, 1)
    assert challenge_rows(db) == [
        ("oracy", "Oracy", 0),
        ("child-poverty", "Child poverty in our area", 1),
    ]
    # Updated in place: evidence linked to the challenge keeps pointing at it.
    assert (
        db.scalar(sa.select(SchoolChallenge.id).where(SchoolChallenge.code == "child-poverty"))
        == first_id
    )


def test_a_duplicate_challenge_code_is_named_and_nothing_is_loaded(db, tmp_path):
    with pytest.raises(ContentError) as info:
        load(db, tmp_path, [challenge("mental-health"), challenge("mental-health")])

    assert [(p.file, p.entry, p.field, p.message) for p in info.value.problems] == [
        (PROGRAMME_FILE, "challenge mental-health", "code", "duplicate code")
    ]
    assert db.scalar(sa.select(sa.func.count()).select_from(Programme)) == 0


def test_a_badly_written_challenge_names_the_entry_and_field(db, tmp_path):
    with pytest.raises(ContentError) as info:
        load(db, tmp_path, [challenge("child-poverty"), {"code": "Mental Health", "titel": "x"}])

    places = {(p.file, p.entry, p.field) for p in info.value.problems}
    assert (PROGRAMME_FILE, "challenge Mental Health", "code") in places
    assert (PROGRAMME_FILE, "challenge Mental Health", "title") in places
    assert (PROGRAMME_FILE, "challenge Mental Health", "titel") in places


def test_a_challenge_nobody_used_is_removed_with_the_file_entry(db, tmp_path):
    load(db, tmp_path, [challenge("child-poverty"), challenge("oracy")])

    report = load(db, tmp_path, [challenge("child-poverty")])

    assert report.removed == 1
    assert [code for code, _, _ in challenge_rows(db)] == ["child-poverty"]


def participant_of(db: Session, programme_code: str) -> Any:
    programme = db.scalar(sa.select(Programme).where(Programme.code == programme_code))
    cohort = make_cohort(db, programme)
    return enrolled(db, cohort, CohortRole.PARTICIPANT)


def test_a_rated_challenge_cannot_be_removed_from_the_content(db, tmp_path):
    load(db, tmp_path, [challenge("child-poverty"), challenge("oracy")])
    user = participant_of(db, "test-prog")
    oracy = db.scalar(sa.select(SchoolChallenge).where(SchoolChallenge.code == "oracy"))
    services.update_context(db, user, "primary", 200, 20, "", {oracy.id: (3, "")})
    db.commit()

    with pytest.raises(ContentError) as info:
        load(db, tmp_path, [challenge("child-poverty", "Child poverty, renamed")])

    db.rollback()
    [problem] = info.value.problems
    assert (problem.file, problem.entry) == (PROGRAMME_FILE, "challenge oracy")
    assert "1 participant(s) rated it" in problem.message
    assert "keep it in the file" in problem.message
    # All or nothing: the rename in the same load did not happen either.
    assert challenge_rows(db) == [("child-poverty", "Child poverty", 0), ("oracy", "Oracy", 1)]


@pytest.fixture
def evidence_link_table(db: Session) -> Iterator[sa.Table]:
    """Stands in for another feature's association table (evidence ↔ challenge)."""
    table = sa.Table(
        "lms_test_evidence_challenge",
        Base.metadata,
        sa.Column("evidence_id", sa.Integer, primary_key=True),
        sa.Column(
            "challenge_id",
            sa.ForeignKey("lms_school_challenge.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    table.create(db.get_bind())
    try:
        yield table
    finally:
        db.rollback()
        table.drop(db.get_bind())
        Base.metadata.remove(table)


def test_a_challenge_linked_from_evidence_cannot_be_removed(db, tmp_path, evidence_link_table):
    load(db, tmp_path, [challenge("child-poverty"), challenge("oracy")])
    oracy_id = db.scalar(sa.select(SchoolChallenge.id).where(SchoolChallenge.code == "oracy"))
    db.execute(evidence_link_table.insert().values(evidence_id=1, challenge_id=oracy_id))
    db.commit()

    with pytest.raises(ContentError) as info:
        load(db, tmp_path, [challenge("child-poverty")])

    db.rollback()
    [problem] = info.value.problems
    assert problem.entry == "challenge oracy"
    assert "1 piece(s) of evidence or task responses name it" in problem.message
    assert len(challenge_rows(db)) == 2


# --- the profile ------------------------------------------------------------------------


@pytest.fixture
def participant(db, content):
    user = participant_of(db, "insights-2026")
    db.commit()
    return user


@pytest.fixture
def by_code(db, content) -> dict[str, SchoolChallenge]:
    return {c.code: c for c in db.scalars(sa.select(SchoolChallenge))}


def rating_rows(db: Session) -> list[tuple[str, int, str]]:
    rows = db.execute(
        sa.select(SchoolChallenge.code, SchoolChallengeRating.weight, SchoolChallengeRating.comment)
        .join(SchoolChallengeRating.challenge)
        .order_by(SchoolChallengeRating.rated_dt, SchoolChallengeRating.id)
    )
    return [tuple(row) for row in rows]


def test_a_new_profile_takes_the_phase_from_the_participants_account(db, content):
    user = participant_of(db, "insights-2026")
    assert services.find_context(db, user) is None

    context = services.get_or_create_context(db, user)

    assert context.phase == SchoolPhase.PRIMARY
    assert (context.pupils, context.staff, context.notes) == (None, None, "")
    assert services.get_or_create_context(db, user).id == context.id
    assert services.current_weights(db, context) == {}


def test_saving_the_profile_records_phase_size_notes_and_ratings(db, participant, by_code):
    poverty, attendance = by_code["child-poverty"], by_code["pupil-attendance"]

    context = services.update_context(
        db,
        participant,
        SchoolPhase.ALL_THROUGH,
        1450,
        130,
        "  Two sites, one community.  ",
        {poverty.id: (4, "Half our pupils are eligible for free meals."), attendance.id: (2, "")},
        now=T0,
    )
    db.commit()

    db.expire_all()
    saved = db.scalar(sa.select(SchoolContext).where(SchoolContext.user_id == participant.id))
    assert saved.id == context.id
    assert (saved.phase, saved.pupils, saved.staff) == (SchoolPhase.ALL_THROUGH, 1450, 130)
    assert saved.notes == "Two sites, one community."
    assert saved.updated_dt == T0
    current = services.current_weights(db, saved)
    assert {cid: r.weight for cid, r in current.items()} == {poverty.id: 4, attendance.id: 2}
    assert current[poverty.id].weight_label == "Severe"
    assert current[poverty.id].rated_dt == T0


def test_a_rating_is_added_only_when_the_weight_or_comment_changes(db, participant, by_code):
    send = by_code["send-needs"].id
    args = (db, participant, "primary", 300, 40, "")

    services.update_context(*args, {send: (2, "")}, now=T0)
    services.update_context(*args, {send: (2, "")}, now=T1)
    assert rating_rows(db) == [("send-needs", 2, "")]

    services.update_context(*args, {send: (3, "Three new EHCPs this term")}, now=T1)
    services.update_context(*args, {send: (3, "Three new EHCPs this term.")}, now=T2)
    # Leaving a challenge out keeps its rating as it is.
    services.update_context(*args, {}, now=T2)
    db.commit()

    assert rating_rows(db) == [
        ("send-needs", 2, ""),
        ("send-needs", 3, "Three new EHCPs this term"),
        ("send-needs", 3, "Three new EHCPs this term."),
    ]
    context = services.find_context(db, participant)
    history = services.weight_history(db, context)
    assert [(r.weight, r.rated_dt) for r in history[send]] == [(2, T0), (3, T1), (3, T2)]
    assert services.current_weights(db, context)[send].comment == "Three new EHCPs this term."


def test_the_same_weight_again_after_a_change_is_recorded_as_a_move_back(db, participant, by_code):
    gap = by_code["disadvantage-gap"].id
    args = (db, participant, "primary", None, None, "")
    for weight, when in ((3, T0), (1, T1), (3, T2)):
        services.update_context(*args, {gap: (weight, "")}, now=when)

    context = services.find_context(db, participant)
    assert [r.weight for r in services.weight_history(db, context)[gap]] == [3, 1, 3]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"pupils": -5}, "between 1 and 10,000"),
        ({"pupils": 0}, "between 1 and 10,000"),
        ({"pupils": 10_001}, "between 1 and 10,000"),
        ({"pupils": "lots"}, "whole number"),
        ({"staff": 0}, "number of staff between 1 and 5,000"),
        ({"phase": "nursery"}, "phase"),
        ({"notes": "x" * 4001}, "4,000 characters"),
        ({"weight": 5}, "from 0 (not a concern) to 4 (severe)"),
        ({"weight": -1}, "from 0 (not a concern) to 4 (severe)"),
        ({"comment": "y" * 1001}, "1,000 characters"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(
    db, participant, by_code, changes, message
):
    values: dict[str, Any] = {
        "phase": "secondary",
        "pupils": 900,
        "staff": 80,
        "notes": "Coastal town.",
        "weight": 2,
        "comment": "",
    }
    values.update(changes)
    mental_health = by_code["mental-health"].id

    with pytest.raises(
        services.ContextError, match=message.replace("(", r"\(").replace(")", r"\)")
    ):
        services.update_context(
            db,
            participant,
            values["phase"],
            values["pupils"],
            values["staff"],
            values["notes"],
            {mental_health: (values["weight"], values["comment"])},
        )

    assert services.find_context(db, participant) is None
    assert rating_rows(db) == []


def test_a_challenge_of_another_programme_is_refused(db, participant, by_code):
    shipped = db.scalar(sa.select(Programme).where(Programme.code == "insights-2026"))
    other = Programme(code="other-2026", title="Another programme", framework=shipped.framework)
    foreign = SchoolChallenge(programme=other, code="oracy", title="Oracy")
    db.add_all([other, foreign])
    db.flush()

    with pytest.raises(services.ContextError, match="not part of your programme"):
        services.update_context(db, participant, "primary", None, None, "", {foreign.id: (2, "")})
    with pytest.raises(services.ContextError, match="not part of your programme"):
        services.update_context(db, participant, "primary", None, None, "", {987654: (2, "")})
    assert rating_rows(db) == []


def test_only_participants_keep_a_profile(db, content):
    programme = db.scalar(sa.select(Programme).where(Programme.code == "insights-2026"))
    cohort = make_cohort(db, programme)
    coach = enrolled(db, cohort, CohortRole.COACH)
    stranger = make_user(db)

    for user in (coach, stranger):
        assert services.challenges_for_user(db, user) == []
        assert not services.is_participant(db, user)
        with pytest.raises(services.ContextError, match="not a participant"):
            services.update_context(db, user, "primary", None, None, "", {})


def test_challenges_for_user_are_those_of_their_participant_programmes_in_order(
    db, participant, by_code
):
    shipped = db.scalar(sa.select(Programme).where(Programme.code == "insights-2026"))
    other = Programme(code="other-2026", title="Another programme", framework=shipped.framework)
    db.add_all([other, SchoolChallenge(programme=other, code="oracy", title="Oracy")])
    db.flush()

    offered = services.challenges_for_user(db, participant)

    assert [c.code for c in offered] == SHIPPED_CHALLENGES
    # A second cohort of the same programme does not repeat the list.
    enrolled_again = make_cohort(db, shipped)
    from insights_lms.cohorts.services import enrol

    enrol(db, enrolled_again, participant, CohortRole.PARTICIPANT)
    assert [c.code for c in services.challenges_for_user(db, participant)] == SHIPPED_CHALLENGES


def test_saving_sends_school_context_updated_when_something_changed(db, participant, by_code):
    received: list[tuple[Any, dict[str, Any]]] = []

    def listener(sender: Any, **kwargs: Any) -> None:
        received.append((sender, kwargs))

    poverty = by_code["child-poverty"].id
    with signals.school_context_updated.connected_to(listener):
        context = services.update_context(db, participant, "primary", 210, 25, "", {}, now=T0)
        services.update_context(db, participant, "primary", 210, 25, "", {}, now=T1)
        services.update_context(db, participant, "primary", 210, 25, "", {poverty: (1, "")})
        services.update_context(db, participant, "primary", 215, 25, "", {poverty: (1, "")})

    assert len(received) == 3
    for sender, kwargs in received:
        assert sender is context and isinstance(sender, SchoolContext)
        assert kwargs == {"user": participant}
    # The listener can reach the change through the sender's session, already flushed.
    assert context.id is not None and context.updated_dt != T0
