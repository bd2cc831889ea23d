"""Badge rules: each rule awards at its threshold, once, only for live badges, even under concurrency."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from webapp.db import get_engine
from webapp.models import (
    Badge,
    BadgeAward,
    BadgeRule,
    BadgeScope,
    Kudos,
    MissionKind,
    Reflection,
    Visibility,
    utcnow,
)
from webapp.play.badges import RULES_BY_EVENT, award_badge, award_badges
from webapp.play.events import PlayEvent, PlayEventKind
from webapp.play.feed import give_kudos
from webapp.play.missions import complete_mission


def awards(session, badge):
    return session.exec(select(BadgeAward).where(BadgeAward.badge_id == badge.id)).all()


def complete(session, user, mission, key, now=None):
    result = complete_mission(session, user, mission.id, "done", None, key, now=now)
    session.commit()
    return [awarded.badge.slug for awarded in result.badges]


def test_missions_completed_awards_at_threshold_once(world, session):
    mission = world.mission(max_completions=None)
    badge = world.badge(BadgeRule.MISSIONS_COMPLETED, {"threshold": 2})
    ada = world.player("ada@example.com")
    assert complete(session, ada, mission, "k1") == []
    assert complete(session, ada, mission, "k2") == [badge.slug]
    assert complete(session, ada, mission, "k3") == []
    assert [award.subject for award in awards(session, badge)] == [f"user:{ada.id}"]


def test_missions_completed_of_a_kind_counts_only_that_kind(world, session):
    learn = world.mission("read", MissionKind.LEARN, max_completions=None)
    experiment = world.mission("try", MissionKind.EXPERIMENT, max_completions=None)
    badge = world.badge(BadgeRule.MISSIONS_COMPLETED, {"threshold": 2, "kind": "experiment"})
    ada = world.player("ada@example.com")
    complete(session, ada, learn, "k1")
    complete(session, ada, learn, "k2")
    assert awards(session, badge) == []
    complete(session, ada, experiment, "k3")
    assert complete(session, ada, experiment, "k4") == [badge.slug]


def test_streak_days_awards_on_the_third_day_in_a_row(world, session):
    mission = world.mission(max_completions=None)
    badge = world.badge(BadgeRule.STREAK_DAYS, {"threshold": 3})
    ada = world.player("ada@example.com")
    now = utcnow()
    complete(session, ada, mission, "k1", now - timedelta(days=2))
    complete(session, ada, mission, "k2", now - timedelta(days=1))
    assert awards(session, badge) == []
    assert complete(session, ada, mission, "k3", now) == [badge.slug]


def test_points_reached(world, session):
    mission = world.mission(points=30, max_completions=None)
    badge = world.badge(BadgeRule.POINTS_REACHED, {"threshold": 50})
    ada = world.player("ada@example.com")
    assert complete(session, ada, mission, "k1") == []
    assert complete(session, ada, mission, "k2") == [badge.slug]


def test_reflections_written_on_its_event(world, session):
    badge = world.badge(BadgeRule.REFLECTIONS_WRITTEN, {"threshold": 2})
    ada = world.player("ada@example.com")
    red = world.team("red").id
    event = PlayEvent(PlayEventKind.REFLECTION_WRITTEN, ada.id, red, world.challenge.id)
    for number in (1, 2):
        session.add(Reflection(user_id=ada.id, challenge_id=world.challenge.id, team_id=red, body=f"r{number}",
                               visibility=Visibility.PRIVATE))
        session.flush()
        awarded = award_badges(session, [event])
    session.commit()
    assert [a.badge.slug for a in awarded] == [badge.slug]


def test_kudos_given_and_received(world, session):
    mission = world.mission(max_completions=None)
    given = world.badge(BadgeRule.KUDOS_GIVEN, {"threshold": 2}, slug="cheerleader")
    received = world.badge(BadgeRule.KUDOS_RECEIVED, {"threshold": 2}, slug="appreciated")
    ada, bo = world.player("ada@example.com"), world.player("bo@example.com")
    first = complete_mission(session, ada, mission.id, "one", None, "k1").completion
    second = complete_mission(session, ada, mission.id, "two", None, "k2").completion
    session.commit()
    give_kudos(session, bo, "completion", first.id)
    session.commit()
    assert awards(session, given) == [] and awards(session, received) == []
    give_kudos(session, bo, "completion", second.id)
    session.commit()
    assert [a.subject for a in awards(session, given)] == [f"user:{bo.id}"]
    assert [a.subject for a in awards(session, received)] == [f"user:{ada.id}"]


def test_team_points_reached_goes_to_the_team(world, session):
    mission = world.mission(points=30)
    badge = world.badge(BadgeRule.TEAM_POINTS_REACHED, {"threshold": 50}, scope=BadgeScope.TEAM)
    ada, bo = world.player("ada@example.com"), world.player("bo@example.com")
    complete(session, ada, mission, "k1")
    assert complete(session, bo, mission, "k2") == [badge.slug]
    award = awards(session, badge)[0]
    assert (award.subject, award.team_id, award.user_id) == (f"team:{world.team('red').id}", world.team("red").id, None)


def test_team_all_completed_kind_needs_every_enrolled_member(world, session):
    share = world.mission("share", MissionKind.SHARE)
    learn = world.mission("read", MissionKind.LEARN)
    badge = world.badge(BadgeRule.TEAM_ALL_COMPLETED_KIND, {"kind": "share"}, scope=BadgeScope.TEAM)
    ada, bo = world.player("ada@example.com"), world.player("bo@example.com")
    world.player("cy@example.com", team="blue")  # another team's member does not matter
    complete(session, ada, share, "k1")
    complete(session, bo, learn, "k2")
    assert awards(session, badge) == []
    assert complete(session, bo, share, "k3") == [badge.slug]


def test_team_badge_is_shown_to_its_members(world, session, client, auth):
    mission = world.mission(points=60)
    world.badge(BadgeRule.TEAM_POINTS_REACHED, {"threshold": 50}, slug="team-fifty", scope=BadgeScope.TEAM)
    ada = world.player("ada@example.com")
    world.player("bo@example.com")
    complete(session, ada, mission, "k1")
    auth.login("bo@example.com")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Team-Fifty" in page and "(team badge)" in page


def test_retired_badges_are_not_awarded(world, session):
    mission = world.mission()
    badge = world.badge(BadgeRule.MISSIONS_COMPLETED, {"threshold": 1}, retired_at=utcnow())
    ada = world.player("ada@example.com")
    assert complete(session, ada, mission, "k1") == []
    assert awards(session, badge) == []


def test_badges_of_another_challenge_are_not_looked_at(world, session):
    other = world.make_challenge("other")
    world.badge(BadgeRule.MISSIONS_COMPLETED, {"threshold": 1}, challenge=other)
    mission = world.mission()
    ada = world.player("ada@example.com")
    assert complete(session, ada, mission, "k1") == []


def test_each_event_looks_only_at_the_rules_it_can_affect():
    assert RULES_BY_EVENT[PlayEventKind.MISSION_COMPLETED] == {
        BadgeRule.MISSIONS_COMPLETED, BadgeRule.STREAK_DAYS, BadgeRule.TEAM_ALL_COMPLETED_KIND}
    assert RULES_BY_EVENT[PlayEventKind.POINTS_RECORDED] == {
        BadgeRule.POINTS_REACHED, BadgeRule.TEAM_POINTS_REACHED, BadgeRule.SKILL_LEVEL_REACHED}
    covered = set().union(*RULES_BY_EVENT.values())
    assert covered == set(BadgeRule)


def test_award_is_unique_under_concurrent_requests(world, session, database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("parallel writers need PostgreSQL")
    badge = world.badge(BadgeRule.POINTS_REACHED, {"threshold": 1})
    ada = world.player("ada@example.com")
    barrier = threading.Barrier(10)
    results = []

    def race():
        with Session(get_engine(database_url), expire_on_commit=False) as own:
            mine = own.get(Badge, badge.id)
            barrier.wait()
            results.append(award_badge(own, mine, f"user:{ada.id}", user_id=ada.id))
            own.commit()

    threads = [threading.Thread(target=race) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result is not None for result in results) == 1
    assert session.exec(select(func.count()).select_from(BadgeAward)).one() == 1


def test_handler_ignores_events_without_rules(world, session):
    ada = world.player("ada@example.com")
    assert award_badges(session, [PlayEvent(PlayEventKind.FEEDBACK_GIVEN, ada.id, world.team("red").id,
                                            world.challenge.id)]) == []
