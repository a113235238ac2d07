"""Coach matching: the ranking and its stated reasons (pure, no database), then the facts read
from the database, confirming a match, coach profiles, and the demo data."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import sqlalchemy as sa

from insights_lms import signals
from insights_lms.auth.models import User
from insights_lms.cohorts import services as cohorts
from insights_lms.demo.matching import add_demo
from insights_lms.enums import CohortRole, SchoolPhase
from insights_lms.matching import board as match_board
from insights_lms.matching import profiles
from insights_lms.matching.errors import MatchingError
from insights_lms.matching.models import CoachProfile
from insights_lms.matching.profiles import ProfileInput
from insights_lms.matching.ranking import CoachOffer, ContextNeed, LowRating, Need, rank
from insights_lms.ratings.models import CompetencyRating, RatingKind
from insights_lms.xapi.models import XapiStatement
from tests.factories import enrolled, make_cohort, utc
from tests.factories import find_user as user
from tests.factories import participant_enrolment as enrolment_of

# --- the ranking, without a database ---------------------------------------------------------


def person(name: str, id_: int) -> User:
    return User(id=id_, name=name, email=f"{id_}@school.example")


AMINA = person("Amina Rahman", 1)
HELEN, MARCUS, NIA, OLU = (
    person("Helen Okafor", 10),
    person("Marcus Reid", 11),
    person("Nia Evans", 12),
    person("Olu Bello", 13),
)

NEED = Need(
    AMINA,
    SchoolPhase.PRIMARY,
    lowest=(
        LowRating("L2.3", "Inclusion and SEND", "1 Emerging"),
        LowRating("L3.1", "Resources, operations and governance", "1 Emerging"),
    ),
    has_self_ratings=True,
    challenges=(ContextNeed("pupil-attendance", "Pupil attendance", "Severe"),),
    has_context=True,
)


def offer(coach: User, load: int = 0, capacity: int | None = 4, **profile) -> CoachOffer:
    return CoachOffer(
        coach,
        load,
        has_profile=capacity is not None,
        capacity=capacity,
        phases=frozenset(profile.get("phases", ())),
        strengths=frozenset(profile.get("strengths", ())),
        challenges=frozenset(profile.get("challenges", ())),
    )


def texts(suggestion) -> list[str]:
    return [r.text for r in suggestion.reasons]


def test_phase_strengths_and_context_each_count_and_say_why():
    helen = offer(
        HELEN,
        load=2,
        phases={SchoolPhase.PRIMARY, SchoolPhase.SPECIAL},
        strengths={"L2.3", "L1.1"},
        challenges={"pupil-attendance", "child-poverty"},
    )
    marcus = offer(MARCUS, load=1, phases={SchoolPhase.SECONDARY}, strengths={"L3.1"})
    best, second = rank(NEED, [marcus, helen])
    assert best.coach is HELEN and best.score == 3 + 2 + 1
    assert texts(best) == [
        "Experience of primary schools, like Amina's",
        "Leads on L2.3 Inclusion and SEND, one of Amina's lowest self-ratings (1 Emerging)",
        "Experience of “Pupil attendance”, severe at Amina's school",
        "2 of 4 places free",
    ]
    assert [r.points for r in best.reasons] == [3, 2, 1, 0]
    assert second.coach is MARCUS and second.score == 2
    assert [r.text for r in second.fits] == [
        "Leads on L3.1 Resources, operations and governance, one of Amina's lowest "
        "self-ratings (1 Emerging)",
        "3 of 4 places free",
    ]
    assert [r.text for r in second.cautions] == ["No experience of primary schools recorded"]


def test_a_full_coach_comes_last_whatever_the_score_and_says_so():
    full = offer(HELEN, load=3, capacity=3, phases={SchoolPhase.PRIMARY}, strengths={"L2.3"})
    closed = offer(NIA, load=0, capacity=0, phases={SchoolPhase.PRIMARY})
    weak = offer(MARCUS, load=0, capacity=2)
    ranked = rank(NEED, [full, closed, weak])
    assert [s.coach for s in ranked] == [MARCUS, HELEN, NIA]
    assert ranked[1].score > ranked[0].score  # the better fit is full, so it comes after
    assert [s.is_full for s in ranked] == [False, True, True]
    assert [r.text for r in ranked[1].cautions] == ["Full: 3 of 3 places taken"]
    assert [r.text for r in ranked[2].cautions] == [
        "Not taking coachees at the moment (capacity 0)"
    ]
    assert texts(ranked[0]) == ["No experience of primary schools recorded", "2 of 2 places free"]


def test_equal_fit_goes_to_the_coach_with_more_room_then_by_name():
    a = offer(HELEN, load=3, capacity=4, phases={SchoolPhase.PRIMARY})
    b = offer(MARCUS, load=1, capacity=4, phases={SchoolPhase.PRIMARY})
    c = offer(NIA, load=0, capacity=2, phases={SchoolPhase.PRIMARY})
    d = offer(OLU, load=0, capacity=2, phases={SchoolPhase.PRIMARY})
    offers = [a, b, c, d]
    expected = [NIA, OLU, MARCUS, HELEN]
    for _ in range(5):
        random.shuffle(offers)
        assert [s.coach for s in rank(NEED, offers)] == expected
    assert texts(rank(NEED, [b])[0])[-1] == "3 of 4 places free"
    one_place = offer(HELEN, load=0, capacity=1, phases={SchoolPhase.PRIMARY})
    assert texts(rank(NEED, [one_place])[0])[-1] == "1 of 1 place free"


def test_a_coach_without_a_profile_can_be_chosen_but_says_what_is_unknown():
    [suggestion] = rank(NEED, [offer(HELEN, load=5, capacity=None)])
    assert suggestion.score == 0 and not suggestion.is_full
    assert texts(suggestion) == [
        "No coach profile yet: phases, strengths and capacity are not known"
    ]
    ranked = rank(NEED, [offer(HELEN, capacity=None), offer(MARCUS, load=3, capacity=4)])
    assert [s.coach for s in ranked] == [MARCUS, HELEN]  # same score: known room first


def test_what_matching_could_not_consider_is_said():
    bare = Need(AMINA, None)
    helen = offer(HELEN, phases={SchoolPhase.PRIMARY}, strengths={"L2.3"})
    [suggestion] = rank(bare, [helen])
    assert suggestion.score == 0 and texts(suggestion) == ["4 of 4 places free"]
    assert bare.notes == [
        "Amina's school phase is not recorded.",
        "Amina has no self-ratings yet, so coaches' strengths could not be compared with "
        "their lowest self-ratings.",
        "Amina has not described their school context yet.",
    ]
    calm = Need(AMINA, SchoolPhase.PRIMARY, has_context=True)
    assert calm.notes[-1] == "Amina has not rated any school challenge as significant."
    assert NEED.notes == []


# --- facts from the database -----------------------------------------------------------------


@pytest.fixture
def rich_demo(db, rich_demo):
    """The demo with its activity and this package's demo data (profiles, Sam's context)."""
    add_demo(db, rich_demo, dt.datetime.now(dt.UTC))
    db.commit()
    return rich_demo


def test_the_demo_board_suggests_helen_for_sam_and_says_why(db, rich_demo):
    board = match_board.matching_board(db, rich_demo)
    assert [m.participant.email for m in board.unmatched] == ["participant6@example.org"]
    [match] = board.unmatched
    need = match.need
    assert need.phase == SchoolPhase.SPECIAL  # from Sam's school context
    assert [low.code for low in need.lowest] == ["L1.1", "L1.3", "L2.2", "L3.1", "L4.1"]
    assert [c.code for c in need.challenges] == [
        "staff-recruitment-retention",
        "send-needs",
        "mental-health",
    ]
    helen, marcus = match.suggestions
    assert helen.coach.email == "coach1@example.org" and helen.score == 3 + 2 * 2 + 3
    assert "Experience of special schools, like Sam's" in texts(helen)
    assert "1 of 4 places free" in texts(helen)
    assert marcus.score == 4 and "1 of 3 places free" in texts(marcus)
    assert [r.text for r in marcus.cautions] == ["No experience of special schools recorded"]
    assert {o.coach.email: o.load for o in board.offers} == {
        "coach1@example.org": 3,
        "coach2@example.org": 2,
    }
    assert len(board.matched) == 5


def test_loads_count_only_cohorts_still_running(db, rich_demo):
    helen = user(db, "coach1@example.org")
    old = make_cohort(db, rich_demo.programme, first_module_start=utc(2020, 9, 7, 9))
    cohorts.enrol(db, old, helen, CohortRole.COACH)
    past = enrolled(db, old, CohortRole.PARTICIPANT)
    cohorts.assign_coach(db, old, helen, past)
    empty = make_cohort(db, rich_demo.programme)
    for cm in list(empty.cohort_modules):
        db.delete(cm)
    db.flush()
    db.refresh(empty)
    cohorts.enrol(db, empty, helen, CohortRole.COACH)
    cohorts.assign_coach(db, empty, helen, enrolled(db, empty, CohortRole.PARTICIPANT))
    assert match_board.coach_loads(db, [helen.id]) == {helen.id: 3 + 1}  # not the 2020 cohort


def test_confirming_a_match_assigns_the_coach_and_announces_it(db, rich_demo):
    sam, helen = user(db, "participant6@example.org"), user(db, "coach1@example.org")
    farah = user(db, "facilitator@example.org")
    heard = []
    with signals.coach_assigned.connected_to(
        lambda sender, **kw: heard.append((sender.coach_id, kw["assigned_by"]))
    ):
        match_board.confirm_match(db, rich_demo, sam, helen, assigned_by=farah)
    assert heard == [(helen.id, farah)]
    assert cohorts.coach_of(db, rich_demo, sam) is helen
    assert match_board.matching_board(db, rich_demo).unmatched == []
    with pytest.raises(MatchingError, match="already has a coach: Helen Okafor"):
        match_board.confirm_match(
            db, rich_demo, sam, user(db, "coach2@example.org"), assigned_by=farah
        )


def test_only_a_facilitator_of_the_cohort_confirms_and_only_with_its_coaches(db, rich_demo):
    sam, helen = user(db, "participant6@example.org"), user(db, "coach1@example.org")
    other = make_cohort(db, rich_demo.programme)
    stranger = enrolled(db, other, CohortRole.FACILITATOR)
    outside_coach = enrolled(db, other, CohortRole.COACH)
    with pytest.raises(MatchingError, match="Only the cohort's facilitators"):
        match_board.confirm_match(db, rich_demo, sam, helen, assigned_by=stranger)
    with pytest.raises(MatchingError, match="is not a coach in"):
        match_board.confirm_match(
            db, rich_demo, sam, outside_coach, assigned_by=user(db, "facilitator@example.org")
        )
    assert cohorts.coach_of(db, rich_demo, sam) is None


# --- profiles ------------------------------------------------------------------------------


def test_a_coach_saves_a_profile_and_changes_it_without_losing_unchanged_rows(db, demo):
    helen = user(db, "coach1@example.org")
    data = ProfileInput(3, ["primary", "special"], ["L2.3", "L1.1"], ["send-needs"], " Bio ")
    profile = profiles.save_profile(db, helen, data, editor=helen)
    assert (profile.capacity, profile.phases, profile.strengths, profile.challenges) == (
        3,
        [SchoolPhase.PRIMARY, SchoolPhase.SPECIAL],
        ["L1.1", "L2.3"],
        ["send-needs"],
    )
    assert profile.bio == "Bio" and profile.updated_by is helen
    kept = {row.competency_code: row.id for row in profile.strength_rows}
    profiles.save_profile(db, helen, ProfileInput(5, ["special"], ["L2.3", "L4.2"]), editor=helen)
    db.commit()
    db.expire_all()
    profile = profiles.profile_of(db, helen)
    assert profile is not None
    assert (profile.capacity, profile.phases, profile.strengths, profile.challenges) == (
        5,
        [SchoolPhase.SPECIAL],
        ["L2.3", "L4.2"],
        [],
    )
    assert {r.competency_code: r.id for r in profile.strength_rows}["L2.3"] == kept["L2.3"]
    assert db.scalar(sa.select(sa.func.count()).select_from(CoachProfile)) == 1


@pytest.mark.parametrize(
    ("data", "message", "field"),
    [
        (ProfileInput(None), "Enter how many coachees", "capacity"),
        (ProfileInput(31), "between 0 and 30", "capacity"),
        (ProfileInput(2, ["nursery"]), "Choose school phases from the list", "phases"),
        (ProfileInput(2, [], ["Z9.9"]), "Choose competencies from the list", "strengths"),
        (ProfileInput(2, [], [], ["surf"]), "Choose school challenges from the list", "challenges"),
        (ProfileInput(2, bio="x" * 2001), "2,000 characters", "bio"),
    ],
)
def test_a_profile_is_refused_with_a_message_for_the_field(db, demo, data, message, field):
    helen = user(db, "coach1@example.org")
    with pytest.raises(MatchingError, match=message) as refused:
        profiles.save_profile(db, helen, data, editor=helen)
    assert refused.value.field == field
    assert profiles.profile_of(db, helen) is None


def test_who_may_edit_a_coach_profile(db, demo):
    helen = user(db, "coach1@example.org")
    other = make_cohort(db, demo.programme)
    stranger = enrolled(db, other, CohortRole.FACILITATOR)
    assert profiles.may_edit_profile(db, helen, helen)
    assert profiles.may_edit_profile(db, user(db, "facilitator@example.org"), helen)
    assert not profiles.may_edit_profile(db, stranger, helen)
    assert not profiles.may_edit_profile(db, user(db, "coach2@example.org"), helen)
    amina = user(db, "participant1@example.org")
    assert not profiles.may_edit_profile(db, amina, amina)  # not a coach anywhere
    with pytest.raises(MatchingError, match="Only the coach, or a facilitator"):
        profiles.save_profile(db, helen, ProfileInput(2), editor=stranger)


# --- the demo ------------------------------------------------------------------------------


def test_the_demo_gives_every_rater_something_and_valid_statements(db, rich_demo):
    from ralph.models.xapi.base.statements import BaseXapiStatement

    kinds = {(r.enrolment.user.email, r.kind) for r in db.scalars(sa.select(CompetencyRating))}
    assert ("participant1@example.org", RatingKind.COACH) in kinds
    assert ("participant1@example.org", RatingKind.FACILITATOR) in kinds
    assert ("participant3@example.org", RatingKind.COACH) in kinds
    assert {p.user.email for p in db.scalars(sa.select(CoachProfile))} == {
        "coach1@example.org",
        "coach2@example.org",
    }
    assert enrolment_of(db, "participant6@example.org") is not None
    rows = list(
        db.scalars(sa.select(XapiStatement).where(XapiStatement.event == "rating.recorded"))
    )
    # One statement per rating: the matching demo's eight, the conversations' and last year's.
    assert len(rows) == len(list(db.scalars(sa.select(CompetencyRating)))) > 8
    for row in rows:
        BaseXapiStatement.model_validate(row.statement)
