"""The completion rules at their edges: exactly at the daily cap, the completion limit and the cooldown's
last minute, and which points count where. Each test is one rule a player could check by hand."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from webapp.models import ChallengeStatus, Completion, Enrolment, OutboxJob, PointEvent, PointReason
from webapp.play.ledger import record_points, team_points, user_points
from webapp.play.missions import EVIDENCE_MAX, KEY_MAX, URL_MAX, CompletionRefused, complete_mission, points_today

MORNING = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def complete(session, user, mission, key, now=MORNING, text="done", url=None):
    result = complete_mission(session, user, mission.id, text, url, key, now=now)
    session.commit()
    return result


def refusal(session, user, mission, key, now=MORNING, text="done", url=None) -> CompletionRefused:
    with pytest.raises(CompletionRefused) as refused:
        complete_mission(session, user, mission.id, text, url, key, now=now)
    session.rollback()
    return refused.value


def completions(session, user):
    return session.exec(select(func.count()).select_from(Completion).where(Completion.user_id == user.id)).one()


def bonus(world, session, user, reason, amount, source_id, now=MORNING, challenge=None, team="red"):
    """Points that are not a completion (kudos received, a reflection, an adjustment), straight into the ledger."""
    record_points(session, user_id=user.id, team_id=world.team(team).id, challenge_id=(challenge or world.challenge).id,
                  amount=amount, reason=reason, source_type=reason.value, source_id=source_id, created_at=now)
    session.commit()


@pytest.fixture
def capped(world):
    """A challenge with a daily cap of 25 points."""
    return world.make_challenge("capped", daily_point_cap=25)


# The daily cap

def test_reaching_the_daily_cap_exactly_is_allowed(world, session, capped):
    ten = world.mission("ten", points=10, max_completions=None, challenge=capped)
    five = world.mission("five", points=5, max_completions=None, challenge=capped)
    ada = world.player("ada@example.com", challenge=capped)
    complete(session, ada, ten, "k1")
    complete(session, ada, ten, "k2")
    assert complete(session, ada, five, "k3").points == 5
    assert points_today(session, ada, capped.id, MORNING) == 25
    refused = refusal(session, ada, five, "k4")
    assert refused.message == ("Daily cap reached: you earned 25 of 25 points today in this challenge, and this "
                               "mission gives 5. It counts again tomorrow.")
    assert refused.field is None


def test_a_completion_that_would_pass_the_cap_is_refused_whole(world, session, capped):
    ten = world.mission("ten", points=10, max_completions=None, challenge=capped)
    ada = world.player("ada@example.com", challenge=capped)
    complete(session, ada, ten, "k1")
    complete(session, ada, ten, "k2")
    assert "you earned 20 of 25" in refusal(session, ada, ten, "k3").message
    assert completions(session, ada) == 2 and user_points(session, ada.id) == 20


def test_one_mission_worth_exactly_the_cap_counts(world, session, capped):
    whole_day = world.mission("big", points=25, challenge=capped)
    ada = world.player("ada@example.com", challenge=capped)
    assert complete(session, ada, whole_day, "k1").points == 25


@pytest.mark.parametrize("reason", [PointReason.KUDOS_RECEIVED, PointReason.REFLECTION,
                                    PointReason.ADJUSTMENT])
def test_points_other_than_completions_do_not_use_up_the_daily_cap(world, session, capped, reason):
    ten = world.mission("ten", points=10, max_completions=None, challenge=capped)
    ada = world.player("ada@example.com", challenge=capped)
    bonus(world, session, ada, reason, 40, 1, challenge=capped)
    complete(session, ada, ten, "k1")
    complete(session, ada, ten, "k2")
    assert points_today(session, ada, capped.id, MORNING) == 20
    assert user_points(session, ada.id, capped.id) == 60


def test_the_daily_cap_counts_this_challenge_and_this_person_only(world, session, capped):
    ten = world.mission("ten", points=10, max_completions=None, challenge=capped)
    elsewhere = world.mission("elsewhere", points=10, max_completions=None)
    ada = world.player("ada@example.com", challenge=capped)
    session.add(Enrolment(challenge_id=world.challenge.id, user_id=ada.id, team_id=world.team("red").id))
    bo = world.player("bo@example.com", challenge=capped)
    for number in range(3):  # 30 points today in the uncapped challenge
        complete(session, ada, elsewhere, f"other-{number}")
    complete(session, bo, ten, "bo-1")
    complete(session, bo, ten, "bo-2")
    assert points_today(session, ada, capped.id, MORNING) == 0
    complete(session, ada, ten, "k1")
    complete(session, ada, ten, "k2")
    assert points_today(session, ada, capped.id, MORNING) == 20


def test_a_mission_worth_no_points_counts_even_when_the_cap_is_reached(world, session, capped):
    big = world.mission("big", points=25, challenge=capped)
    free = world.mission("free", points=0, challenge=capped)
    ada = world.player("ada@example.com", challenge=capped)
    complete(session, ada, big, "k1")
    result = complete(session, ada, free, "k2")
    assert result.points == 0 and result.total_points == 25
    # No points, so no ledger row: the ledger holds only what was earned.
    assert session.exec(select(func.count()).select_from(PointEvent)).one() == 1


def test_a_mission_worth_no_points_counts_even_after_the_cap_was_lowered_below_my_day(world, session, capped):
    big = world.mission("big", points=25, challenge=capped)
    free = world.mission("free", points=0, challenge=capped)
    ada = world.player("ada@example.com", challenge=capped)
    complete(session, ada, big, "k1")
    capped.daily_point_cap = 10  # the admin lowers the cap mid-day: I am now over it
    session.add(capped)
    session.commit()
    assert complete(session, ada, free, "k2").points == 0
    assert completions(session, ada) == 2


def test_even_a_one_point_mission_is_refused_once_the_cap_is_reached(world, session, capped):
    big = world.mission("big", points=25, challenge=capped)
    one = world.mission("one", points=1, challenge=capped)
    ada = world.player("ada@example.com", challenge=capped)
    complete(session, ada, big, "k1")
    assert refusal(session, ada, one, "k2").message.startswith("Daily cap reached: you earned 25 of 25")


def test_the_cap_day_starts_at_local_midnight_and_the_next_starts_at_the_next(world, session, capped):
    big = world.mission("big", points=25, max_completions=None, challenge=capped)
    ada = world.player("ada@example.com", challenge=capped)
    ada.timezone = "Europe/Berlin"  # UTC+1 in March
    session.add(ada)
    session.commit()
    midnight = datetime(2026, 3, 9, 23, 0, tzinfo=UTC)  # 00:00 on the 10th in Berlin
    complete(session, ada, big, "k1", now=midnight)
    assert points_today(session, ada, capped.id, midnight) == 25
    assert points_today(session, ada, capped.id, midnight - timedelta(seconds=1)) == 0  # 23:59:59 on the 9th
    last_second = midnight + timedelta(days=1, seconds=-1)
    assert "you earned 25 of 25" in refusal(session, ada, big, "k2", now=last_second).message
    assert complete(session, ada, big, "k3", now=midnight + timedelta(days=1)).points == 25


def test_the_cap_day_follows_the_zone_across_a_daylight_saving_change(world, session, capped):
    big = world.mission("big", points=25, max_completions=None, challenge=capped)
    ada = world.player("ada@example.com", challenge=capped)
    ada.timezone = "Europe/Berlin"  # clocks go forward on 29 March 2026: that local day has 23 hours
    session.add(ada)
    session.commit()
    start = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)  # 00:00 on the 29th, still UTC+1
    complete(session, ada, big, "k1", now=start)
    # 23:30 local on the 29th is 21:30 UTC (UTC+2 by then): the same, 23-hour day.
    assert refusal(session, ada, big, "k2", now=datetime(2026, 3, 29, 21, 30, tzinfo=UTC)).message.startswith(
        "Daily cap reached")
    # 00:00 on the 30th is 22:00 UTC on the 29th: a new day, an hour earlier in UTC than the day before.
    assert complete(session, ada, big, "k3", now=datetime(2026, 3, 29, 22, 0, tzinfo=UTC)).points == 25


def test_without_a_cap_there_is_no_daily_limit(world, session):
    ten = world.mission("ten", points=100, max_completions=None)
    ada = world.player("ada@example.com")
    for number in range(4):
        complete(session, ada, ten, f"k{number}")
    assert user_points(session, ada.id) == 400


# The completion limit

def test_the_last_allowed_completion_counts_and_the_next_is_refused(world, session):
    once = world.mission("once", max_completions=1)
    thrice = world.mission("thrice", max_completions=3)
    ada = world.player("ada@example.com")
    complete(session, ada, once, "o1")
    assert refusal(session, ada, once, "o2").message == "You have already completed this mission once, its limit."
    for number in range(3):
        complete(session, ada, thrice, f"t{number}")
    assert refusal(session, ada, thrice, "t4").message == (
        "You have already completed this mission 3 times, its limit.")


def test_the_limit_counts_my_completions_of_this_mission_only(world, session):
    once = world.mission("once", max_completions=1)
    other = world.mission("other", max_completions=None)
    ada, bo = world.player("ada@example.com"), world.player("bo@example.com")
    complete(session, bo, once, "b1")
    complete(session, ada, other, "a1")
    assert complete(session, ada, once, "a2").points == 10


# The cooldown

def test_the_cooldowns_last_minute_still_waits(world, session):
    mission = world.mission(max_completions=None, cooldown_hours=12)
    ada = world.player("ada@example.com")
    complete(session, ada, mission, "k1")
    last_minute = MORNING + timedelta(hours=11, minutes=59, seconds=30)
    assert refusal(session, ada, mission, "k2", now=last_minute).message == (
        "This mission has a 12-hour cooldown; try again in 1 min.")
    # The wait is rounded up to the next minute.
    assert refusal(session, ada, mission, "k3", now=MORNING + timedelta(hours=9, minutes=29, seconds=30)).message \
        .endswith("try again in 2 h 31 min.")
    assert complete(session, ada, mission, "k4", now=MORNING + timedelta(hours=12)).points == 10


def test_the_cooldown_runs_from_my_latest_completion_of_this_mission(world, session):
    mission = world.mission(max_completions=None, cooldown_hours=2)
    other = world.mission("other", max_completions=None, cooldown_hours=2)
    ada, bo = world.player("ada@example.com"), world.player("bo@example.com")
    complete(session, ada, mission, "k1")
    complete(session, ada, mission, "k2", now=MORNING + timedelta(hours=2))
    assert "try again in 1 h 1 min" in refusal(session, ada, mission, "k3", now=MORNING + timedelta(hours=3)).message
    # Someone else, or another mission, is not held back by my cooldown.
    assert complete(session, bo, mission, "b1", now=MORNING + timedelta(hours=3)).points == 10
    assert complete(session, ada, other, "k4", now=MORNING + timedelta(hours=3)).points == 10


# The form: its key and its evidence

@pytest.mark.parametrize("key", ["", "   ", "k" * (KEY_MAX + 1)])
def test_a_missing_or_oversized_form_key_is_refused(world, session, key):
    mission = world.mission()
    ada = world.player("ada@example.com")
    assert refusal(session, ada, mission, key).message == "This form has expired. Reload the page and try again."
    assert completions(session, ada) == 0


def test_the_longest_form_key_evidence_and_link_are_accepted_and_stored_trimmed(world, session):
    mission = world.mission()
    ada = world.player("ada@example.com")
    url = "https://wiki.example/" + "p" * (URL_MAX - len("https://wiki.example/"))
    result = complete(session, ada, mission, "k" * KEY_MAX, text=f"  {'e' * EVIDENCE_MAX}  ", url=f" {url} ")
    stored = session.get(Completion, result.completion.id)
    assert (stored.idempotency_key, stored.evidence_text, stored.evidence_url) == ("k" * KEY_MAX, "e" * EVIDENCE_MAX,
                                                                                    url)
    assert "http" in refusal(session, ada, mission, "k2", url=url + "p").message


@pytest.mark.parametrize("url", ["http://wiki.example/page", "https://wiki.example/page"])
def test_plain_and_secure_web_links_are_accepted(world, session, url):
    mission = world.mission()
    ada = world.player("ada@example.com")
    assert session.get(Completion, complete(session, ada, mission, "k1", url=url).completion.id).evidence_url == url


def test_a_blank_link_is_no_link(world, session):
    mission = world.mission()
    ada = world.player("ada@example.com")
    result = complete(session, ada, mission, "k1", url="   ")
    assert session.get(Completion, result.completion.id).evidence_url is None


# What a completion records and reports

def test_a_completion_records_who_what_when_and_the_points_in_the_ledger(world, session):
    mission = world.mission(points=15)
    ada = world.player("ada@example.com", team="blue")
    result = complete(session, ada, mission, "k1", text=" read it ")
    completion = session.get(Completion, result.completion.id)
    assert (completion.user_id, completion.mission_id, completion.challenge_id, completion.team_id,
            completion.points_awarded, completion.evidence_text) == (
        ada.id, mission.id, world.challenge.id, world.team("blue").id, 15, "read it")
    assert completion.created_at.replace(tzinfo=UTC) == MORNING
    event = session.exec(select(PointEvent)).one()
    assert (event.user_id, event.team_id, event.challenge_id, event.amount, event.reason, event.source_type,
            event.source_id) == (ada.id, world.team("blue").id, world.challenge.id, 15, PointReason.COMPLETION,
                                 "completion", completion.id)
    assert event.created_at.replace(tzinfo=UTC) == MORNING
    assert result.mission.id == mission.id


def test_crossing_a_level_threshold_is_a_level_up_and_the_total_is_all_challenges(world, session):
    other = world.make_challenge("other")
    mission = world.mission(points=20, max_completions=None)
    ada = world.player("ada@example.com")
    bonus(world, session, ada, PointReason.ADJUSTMENT, 20, 1, challenge=other)
    first = complete(session, ada, mission, "k1")
    assert (first.total_points, first.level.name, first.level_up) == (40, "Newcomer", False)
    second = complete(session, ada, mission, "k2")
    assert (second.total_points, second.level.number, second.level.name, second.level_up) == (60, 2, "Explorer", True)
    third = complete(session, ada, mission, "k3")
    assert (third.total_points, third.level_up) == (80, False)


def test_sending_the_form_again_reports_the_original_without_a_level_up(world, session):
    mission = world.mission(points=60)
    ada = world.player("ada@example.com")
    first = complete(session, ada, mission, "k1")
    assert first.level_up
    again = complete(session, ada, mission, "k1")
    assert (again.repeated, again.points, again.total_points, again.level.name, again.level_up) == (
        True, 60, 60, "Explorer", False)
    assert again.mission.id == mission.id


def test_a_reflection_is_asked_for_each_completion_by_default(world, session):
    mission = world.mission(max_completions=None)
    ada = world.player("ada@example.com")
    first = complete(session, ada, mission, "k1")
    second = complete(session, ada, mission, "k2")
    keys = sorted(job.key for job in session.exec(select(OutboxJob)).all())
    assert keys == sorted(f"reflection-prompt:completion:{r.completion.id}" for r in (first, second))


@pytest.mark.parametrize("status, when", [(ChallengeStatus.PUBLISHED, "has not started yet"),
                                          (ChallengeStatus.CLOSED, "has ended")])
def test_missions_count_only_while_the_challenge_runs(world, session, status, when):
    mission = world.mission()
    ada = world.player("ada@example.com")
    world.challenge.status = status
    session.add(world.challenge)
    session.commit()
    assert refusal(session, ada, mission, "k1").message == f"This challenge {when}; missions count only while it runs."


# The ledger

def test_a_source_pays_out_once(world, session):
    ada = world.player("ada@example.com")
    first = record_points(session, user_id=ada.id, team_id=world.team("red").id, challenge_id=world.challenge.id,
                          amount=5, reason=PointReason.KUDOS_RECEIVED, source_type="kudos", source_id=7)
    again = record_points(session, user_id=ada.id, team_id=world.team("red").id, challenge_id=world.challenge.id,
                          amount=5, reason=PointReason.KUDOS_RECEIVED, source_type="kudos", source_id=7)
    session.commit()
    assert first is not None and again is None
    assert user_points(session, ada.id) == 5
    assert first.created_at is not None


def test_totals_add_up_per_person_challenge_and_team(world, session):
    other = world.make_challenge("other")
    ada, bo = world.player("ada@example.com", team="red"), world.player("bo@example.com", team="blue")
    bonus(world, session, ada, PointReason.ADJUSTMENT, 10, 1)
    bonus(world, session, ada, PointReason.ADJUSTMENT, 7, 2, challenge=other)
    bonus(world, session, bo, PointReason.ADJUSTMENT, 3, 3, team="blue")
    assert (user_points(session, ada.id), user_points(session, ada.id, world.challenge.id),
            user_points(session, ada.id, other.id)) == (17, 10, 7)
    assert (team_points(session, world.team("red").id, world.challenge.id),
            team_points(session, world.team("red").id, other.id),
            team_points(session, world.team("blue").id, world.challenge.id)) == (10, 7, 3)
    nobody = world.player("nobody@example.com")
    assert user_points(session, nobody.id) == 0 and team_points(session, 999, world.challenge.id) == 0


# What each refusal says, word for word (the page shows it as it is)

def test_each_refusal_says_why_in_the_players_words(world, session):
    mission = world.mission(evidence_required=True)
    retired = world.mission("old", retired_at=MORNING)
    ada, bo = world.player("ada@example.com"), world.player("bo@example.com")
    outsider = world.player("cy@example.com", enrol=False)
    complete(session, ada, mission, "ada-key")
    said = {
        "someone else's form": refusal(session, bo, mission, "ada-key"),
        "not joined": refusal(session, outsider, mission, "k1"),
        "retired": refusal(session, ada, retired, "k2"),
        "too long": refusal(session, ada, mission, "k3", text="e" * (EVIDENCE_MAX + 1)),
        "bad link": refusal(session, ada, mission, "k4", url="mailto:ada@example.com"),
        "no evidence": refusal(session, ada, mission, "k5", text="  "),
    }
    assert {what: (error.message, error.field) for what, error in said.items()} == {
        "someone else's form": ("This form has already been used. Reload the page and try again.", None),
        "not joined": ("Join this challenge with your team before completing its missions.", None),
        "retired": ("This mission has been retired and no longer counts.", None),
        "too long": (f"Keep the evidence under {EVIDENCE_MAX} characters.", "evidence_text"),
        "bad link": ("The link must start with http:// or https://.", "evidence_url"),
        "no evidence": ("Describe what you did: this mission needs evidence.", "evidence_text"),
    }
    assert str(said["retired"]) == "This mission has been retired and no longer counts."


def test_a_completion_counts_for_my_team_in_this_challenge_and_needs_my_enrolment_in_it(world, session):
    other = world.make_challenge("other")
    mission = world.mission()
    ada = world.player("ada@example.com", team="blue", challenge=other)  # plays the other challenge for blue
    assert refusal(session, ada, mission, "k1").message == (
        "Join this challenge with your team before completing its missions.")
    session.add(Enrolment(challenge_id=world.challenge.id, user_id=ada.id, team_id=world.team("red").id))
    session.commit()
    result = complete(session, ada, mission, "k2")
    assert session.get(Completion, result.completion.id).team_id == world.team("red").id


# What a counted completion earns, and only once

def test_a_one_point_mission_pays_its_point_into_the_ledger(world, session):
    one = world.mission("one", points=1)
    ada = world.player("ada@example.com")
    result = complete(session, ada, one, "k1")
    assert (result.points, result.total_points, user_points(session, ada.id, world.challenge.id)) == (1, 1, 1)
    event = session.exec(select(PointEvent)).one()
    assert (event.amount, event.reason) == (1, PointReason.COMPLETION)


def test_awarding_a_completion_again_awards_nothing_more(world, session):
    """An approval or job run twice for the same completion: the ledger pays each completion once."""
    from webapp.models import Challenge, Mission
    from webapp.play.missions import award_completion

    mission = world.mission(points=15)
    ada = world.player("ada@example.com")
    completion = session.get(Completion, complete(session, ada, mission, "k1").completion.id)
    again = award_completion(session, completion, session.get(Mission, mission.id),
                             session.get(Challenge, world.challenge.id), MORNING)
    session.commit()
    assert again == []
    assert user_points(session, ada.id) == 15
    assert session.exec(select(func.count()).select_from(PointEvent)).one() == 1


def test_a_new_completion_writes_its_points_and_prompt_without_looking_for_earlier_ones(world, session):
    """Request cost (the budget in test_request_cost.py): the completion's row is new in this transaction, so
    its points cannot have been paid and its reflection prompt cannot have been asked for before. Only the
    completion's own insert takes a savepoint (a parallel request's same form key); no outbox look-up."""
    from sqlalchemy import event as sql_event

    mission = world.mission(points=15)
    ada = world.player("ada@example.com")
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = session.get_bind()
    sql_event.listen(engine, "before_cursor_execute", record)
    try:
        result = complete(session, ada, mission, "k1")
    finally:
        sql_event.remove(engine, "before_cursor_execute", record)
    assert sum(statement.startswith("SAVEPOINT") for statement in statements) == 1
    assert not [statement for statement in statements if statement.startswith("SELECT") and "FROM outbox_job" in statement]
    assert user_points(session, ada.id) == 15
    assert [job.key for job in session.exec(select(OutboxJob)).all()] == [
        f"reflection-prompt:completion:{result.completion.id}"]


def test_evidence_waiting_for_a_lead_records_no_points_until_approved(world, session):
    from webapp.models import CompletionStatus, MissionApproval

    mission = world.mission(points=15, approval=MissionApproval.LEAD)
    ada = world.player("ada@example.com")
    bonus(world, session, ada, PointReason.ADJUSTMENT, 5, 1)
    result = complete(session, ada, mission, "k1")
    assert (result.pending, result.points, result.total_points, result.level.name, result.level_up) == (
        True, 0, 5, "Newcomer", False)
    assert result.mission.id == mission.id  # the page names the mission that waits
    stored = session.get(Completion, result.completion.id)
    assert (stored.status, stored.points_awarded) == (CompletionStatus.PENDING, 0)
    assert user_points(session, ada.id) == 5
    again = complete(session, ada, mission, "k1")  # the same form sent again says the same: nothing yet
    assert (again.repeated, again.points) == (True, 0)


def test_reaching_a_level_by_a_completion_tells_that_person_once(world, session):
    mission = world.mission(points=60)
    ada = world.player("ada@example.com")
    result = complete(session, ada, mission, "k1")
    assert result.level_up
    jobs = [job for job in session.exec(select(OutboxJob)).all() if job.key.startswith("notify:level:")]
    assert [job.key for job in jobs] == [f"notify:level:{ada.id}:2:completion:{result.completion.id}"]
    assert (jobs[0].payload["user_ids"], jobs[0].payload["text"], jobs[0].payload["source"]) == (
        [ada.id], "You reached level 2: Explorer!", f"level:{ada.id}:2")
