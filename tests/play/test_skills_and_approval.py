"""Skills as XP ladders derived from the ledger, and lead approval of evidence before it counts."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from webapp.db import get_engine
from webapp.models import (
    AssessmentPhase,
    BadgeAward,
    BadgeRule,
    Completion,
    CompletionStatus,
    MissionApproval,
    Membership,
    MissionSkill,
    Notification,
    OutboxJob,
    PointEvent,
    Role,
    SelfAssessment,
    Skill,
    utcnow,
)
from webapp.problems import NotFound
from webapp.play.approvals import (
    ApprovalRefused,
    approval_queue,
    approve,
    approve_many,
    auto_approve_due,
    resubmit,
    send_back,
)
from webapp.play.feed import give_kudos, team_feed
from webapp.play.ledger import user_points
from webapp.play.missions import CompletionRefused, complete_mission
from webapp.play.skill_xp import skill_growth, skill_level_for, user_skill_xp

from ..parallel import post_at_once, signed_in
from ..support import served


def count(session, model, *where):
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def skills(world, session, *names):
    made = [Skill(challenge_id=world.challenge.id, name=name, position=index) for index, name in enumerate(names)]
    session.add_all(made)
    session.commit()
    return made


def weigh(session, mission, **weights_by_skill_id):
    for skill_id, weight in weights_by_skill_id.items():
        session.add(MissionSkill(mission_id=mission.id, skill_id=int(skill_id[1:]), weight=weight))
    session.commit()


def test_one_ledger_event_gives_xp_to_each_skill_by_weight(world, session):
    testing, pairing, unused = skills(world, session, "Testing", "Pairing", "Estimating")
    mission = world.mission(points=10)
    weigh(session, mission, **{f"s{testing.id}": 3, f"s{pairing.id}": 1})
    ada = world.player("ada@example.com")
    complete_mission(session, ada, mission.id, "Wrote the tests", None, "k1")
    session.commit()
    assert count(session, PointEvent) == 1  # one source of truth: skill XP is not stored anywhere else
    assert user_skill_xp(session, ada.id, world.challenge.id) == {testing.id: 30, pairing.id: 10}
    assert user_points(session, ada.id) == 10


def test_skill_levels_climb_their_own_ladder_beside_the_self_assessment(world, session):
    testing, pairing = skills(world, session, "Testing", "Pairing")
    mission = world.mission(points=20, max_completions=None)
    weigh(session, mission, **{f"s{testing.id}": 2})
    ada = world.player("ada@example.com")
    for key in ("k1", "k2"):
        complete_mission(session, ada, mission.id, "done", None, key)
    session.add(SelfAssessment(user_id=ada.id, team_id=world.team("red").id, challenge_id=world.challenge.id,
                               skill_id=testing.id, phase=AssessmentPhase.BEFORE, rating=2))
    session.add(SelfAssessment(user_id=ada.id, team_id=world.team("red").id, challenge_id=world.challenge.id,
                               skill_id=testing.id, phase=AssessmentPhase.AFTER, rating=4))
    session.commit()
    growth = {row.skill.name: row for row in skill_growth(session, ada.id, world.challenge.id)}
    assert growth["Testing"].level.xp == 80 and growth["Testing"].level.number == 3  # 60 XP starts level 3
    assert (growth["Testing"].before, growth["Testing"].after) == (2, 4)
    assert growth["Pairing"].level.number == 1 and growth["Pairing"].before is None
    assert skill_level_for(0).number == 1 and skill_level_for(10_000).next_at is None


def test_a_skill_level_badge_is_awarded_when_the_level_is_reached(world, session):
    (testing,) = skills(world, session, "Testing")
    mission = world.mission(points=20, max_completions=None)
    weigh(session, mission, **{f"s{testing.id}": 2})
    world.badge(BadgeRule.SKILL_LEVEL_REACHED, {"threshold": 3, "skill": "Testing"}, slug="tester")
    ada = world.player("ada@example.com")
    first = complete_mission(session, ada, mission.id, "done", None, "k1")  # 40 XP: level 2
    assert first.badges == []
    second = complete_mission(session, ada, mission.id, "done", None, "k2")  # 80 XP: level 3
    session.commit()
    assert [awarded.badge.slug for awarded in second.badges] == ["tester"]


# --- approval ----------------------------------------------------------------------------------------------

@pytest.fixture
def approval_world(world, session, make_user):
    (testing,) = skills(world, session, "Testing")
    mission = world.mission(points=25, approval=MissionApproval.LEAD)
    weigh(session, mission, **{f"s{testing.id}": 2})
    world.badge(BadgeRule.MISSIONS_COMPLETED, {"threshold": 1}, slug="first")
    ada = world.player("ada@example.com")
    lead = make_user("lena@example.com", role=Role.LEAD, team="red", lead=True)
    other_lead = make_user("olaf@example.com", role=Role.LEAD, team="blue", lead=True)
    return world, mission, ada, lead, other_lead, testing


def test_approval_mission_waits_with_nothing_awarded(approval_world, session):
    world, mission, ada, lead, _, _ = approval_world
    result = complete_mission(session, ada, mission.id, "Paired on tests", None, "k1")
    session.commit()
    assert result.pending and result.points == 0 and result.badges == []
    assert result.completion.status == CompletionStatus.PENDING
    assert count(session, PointEvent) == 0 and count(session, BadgeAward) == 0 and count(session, OutboxJob) == 0
    assert [item.completion.id for item in approval_queue(session, lead)] == [result.completion.id]


def test_approving_awards_points_skill_xp_badge_and_prompt_once(approval_world, session):
    world, mission, ada, lead, _, testing = approval_world
    done = complete_mission(session, ada, mission.id, "Paired on tests", None, "k1").completion
    session.commit()
    first = approve(session, lead, done.id)
    session.commit()
    again = approve(session, lead, done.id)
    session.commit()
    assert not first.already and [b.badge.slug for b in first.badges] == ["first"]
    assert again.already and again.badges == []
    assert user_points(session, ada.id) == 25 and count(session, PointEvent) == 1
    assert user_skill_xp(session, ada.id, world.challenge.id) == {testing.id: 50}
    assert count(session, BadgeAward) == 1
    assert count(session, OutboxJob, OutboxJob.name == "reflection.prompt_for_completion") == 1
    assert count(session, Notification, Notification.user_id == ada.id) == 1
    assert approval_queue(session, lead) == []


def test_sent_back_and_resubmitted_completion_scores_once(approval_world, session):
    world, mission, ada, lead, _, _ = approval_world
    done = complete_mission(session, ada, mission.id, "did it", None, "k1").completion
    session.commit()
    with pytest.raises(ApprovalRefused):
        send_back(session, lead, done.id, "   ")  # feedback is required
    session.rollback()
    send_back(session, lead, done.id, "Add the link to the pull request, please.")
    session.commit()
    assert done.status == CompletionStatus.SENT_BACK and user_points(session, ada.id) == 0
    with pytest.raises(ApprovalRefused):
        approve(session, lead, done.id)  # nothing to approve until the person answers
    session.rollback()
    with pytest.raises(CompletionRefused):
        resubmit(session, ada, done.id, "with link", "javascript:alert(1)")
    session.rollback()
    resubmit(session, ada, done.id, "Here it is", "https://git.example/pr/1")
    session.commit()
    approve(session, lead, done.id)
    session.commit()
    assert user_points(session, ada.id) == 25 and count(session, PointEvent) == 1
    assert count(session, Completion) == 1 and done.evidence_url == "https://git.example/pr/1"


def test_nobody_approves_their_own_and_leads_see_only_their_teams(approval_world, session, make_user):
    world, mission, ada, lead, other_lead, _ = approval_world
    done = complete_mission(session, ada, mission.id, "did it", None, "k1").completion
    session.commit()
    assert approval_queue(session, other_lead) == []
    with pytest.raises(NotFound):
        approve(session, other_lead, done.id)
    session.rollback()
    with pytest.raises(NotFound):
        send_back(session, other_lead, done.id, "no")
    session.rollback()
    ada.role = Role.LEAD
    membership = session.exec(select(Membership).where(Membership.user_id == ada.id)).one()
    membership.is_lead = True
    session.add_all([ada, membership])
    session.commit()
    with pytest.raises(ApprovalRefused):
        approve(session, ada, done.id)  # even a lead of her own team may not approve her own evidence
    session.rollback()
    assert approval_queue(session, ada) == []
    assert approve_many(session, other_lead, [done.id]) == 0
    session.rollback()
    assert user_points(session, ada.id) == 0


def test_bulk_approve_counts_each_once(approval_world, session):
    world, mission, ada, lead, _, _ = approval_world
    mission.max_completions = None
    session.add(mission)
    session.commit()
    ids = [complete_mission(session, ada, mission.id, "did it", None, f"k{n}").completion.id for n in range(3)]
    session.commit()
    assert approve_many(session, lead, ids + ids) == 3
    session.commit()
    assert user_points(session, ada.id) == 75 and count(session, PointEvent) == 3


def test_auto_approval_after_the_challenges_days(approval_world, session):
    world, mission, ada, lead, _, _ = approval_world
    world.challenge.auto_approve_days = 3
    session.add(world.challenge)
    done = complete_mission(session, ada, mission.id, "did it", None, "k1").completion
    session.commit()
    assert auto_approve_due(session, utcnow() + timedelta(days=2)) == 0
    assert auto_approve_due(session, utcnow() + timedelta(days=3, minutes=1)) == 1
    session.commit()
    assert done.status == CompletionStatus.APPROVED and done.reviewed_by_id is None
    assert user_points(session, ada.id) == 25
    assert auto_approve_due(session, utcnow() + timedelta(days=9)) == 0


@pytest.fixture
def live(settings):
    with served(settings) as (url, _app):
        yield url


def test_twenty_parallel_approvals_award_once(approval_world, session, live, database_url, make_user):
    world, mission, ada, lead, _, testing = approval_world
    done = complete_mission(session, ada, mission.id, "did it", None, "k1").completion
    session.commit()
    make_user("admin@example.com", role=Role.ADMIN)
    browsers = [signed_in(live, email) for email in ("lena@example.com", "admin@example.com")]
    answers = []
    for browser, token in browsers:  # two reviewers, ten clicks each, all released together per reviewer
        answers += post_at_once(live, browser, token, f"/play/approvals/{done.id}/approve", [{}] * 10)
    assert {answer.status_code for answer in answers} == {303}
    with Session(get_engine(database_url)) as fresh:
        assert fresh.exec(select(func.count()).select_from(PointEvent)).one() == 1
        assert fresh.exec(select(func.count()).select_from(BadgeAward)).one() == 1
        assert fresh.exec(select(func.count()).select_from(Notification)
                          .where(Notification.user_id == ada.id)).one() == 1
        assert fresh.exec(select(func.count()).select_from(OutboxJob)
                          .where(OutboxJob.name == "reflection.prompt_for_completion")).one() == 1
        assert user_skill_xp(fresh, ada.id, world.challenge.id) == {testing.id: 50}


def test_pending_evidence_is_not_in_the_team_feed_until_approved(approval_world, session):
    world, mission, ada, lead, _, _ = approval_world
    bo = world.player("bo@example.com")
    done = complete_mission(session, ada, mission.id, "Paired on tests", None, "k1").completion
    session.commit()
    assert team_feed(session, bo, world.challenge.id, world.team("red").id) == []
    with pytest.raises(NotFound):  # no kudos (and their points) for evidence that does not count yet
        give_kudos(session, bo, "completion", done.id)
    session.rollback()
    send_back(session, lead, done.id, "Add the pull request, please.")
    session.commit()
    assert team_feed(session, bo, world.challenge.id, world.team("red").id) == []
    resubmit(session, ada, done.id, "Here it is", "https://git.example/pr/1")
    approve(session, lead, done.id)
    session.commit()
    items = team_feed(session, bo, world.challenge.id, world.team("red").id)
    assert [(item.item_type, item.item_id, item.title) for item in items] == [("completion", done.id, "Read")]
    give_kudos(session, bo, "completion", done.id)
    session.commit()
