"""A small hand-made programme whose figures are known (worked out by hand in the comments)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from webapp.models import (
    AssessmentPhase,
    Badge,
    BadgeAward,
    BadgeRule,
    BadgeScope,
    Challenge,
    ChallengeStatus,
    ChallengeTeam,
    Completion,
    Enrolment,
    Mission,
    MissionKind,
    PointEvent,
    PointReason,
    PromptStatus,
    Reflection,
    ReflectionPrompt,
    Role,
    SelfAssessment,
    Skill,
    Team,
)

DAY1 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY2 = datetime(2026, 3, 3, 23, 30, tzinfo=UTC)  # late in the UTC day: must not slip into the next one
DAY3 = datetime(2026, 3, 10, 0, 15, tzinfo=UTC)


@dataclass
class World:
    a: int  # challenge A: teams red and blue
    b: int  # challenge B: red only
    red: int
    blue: int
    green: int  # in no challenge
    people: dict[str, int]
    skills: dict[str, int]


@pytest.fixture
def world(session, make_user) -> World:
    """Challenge A: red (r1, r2, r3) and blue (b1, b2) enrolled.

    r1 completes learn (day 1, day 2) and share (day 2), reflects on the day-1 completion; r2 learn (day 3);
    b1 help (day 1) and reflects without a prompt (day 3); r3 only receives 3 kudos points (day 2); b2 nothing.
    """
    red, blue, green = Team(name="Red", slug="red"), Team(name="Blue", slug="blue"), Team(name="Green", slug="green")
    session.add_all([red, blue, green])
    session.commit()
    make_user("admin@example.com", Role.ADMIN, team="green")
    make_user("lead-red@example.com", Role.LEAD, team="red", lead=True)
    make_user("lead-blue@example.com", Role.LEAD, team="blue", lead=True)
    make_user("employee@example.com", Role.EMPLOYEE, team="red")
    people = {name: make_user(f"{name}@example.com", Role.EMPLOYEE, team=team).id
              for name, team in [("r1", "red"), ("r2", "red"), ("r3", "red"), ("b1", "blue"), ("b2", "blue")]}
    team_of = {"r1": red.id, "r2": red.id, "r3": red.id, "b1": blue.id, "b2": blue.id}

    a = Challenge(slug="a", title="Challenge A", starts_at=DAY1 - timedelta(days=1), ends_at=DAY3 + timedelta(days=5),
                  status=ChallengeStatus.RUNNING)
    b = Challenge(slug="b", title="Challenge B", starts_at=DAY1 - timedelta(days=1), ends_at=DAY3 + timedelta(days=5),
                  status=ChallengeStatus.RUNNING)
    session.add_all([a, b])
    session.flush()
    session.add_all([ChallengeTeam(challenge_id=a.id, team_id=red.id), ChallengeTeam(challenge_id=a.id, team_id=blue.id),
                     ChallengeTeam(challenge_id=b.id, team_id=red.id)])
    learn = Mission(challenge_id=a.id, slug="learn", title="Read a postmortem", kind=MissionKind.LEARN, points=10)
    share = Mission(challenge_id=a.id, slug="share", title="Share a lesson", kind=MissionKind.SHARE, points=5)
    helping = Mission(challenge_id=a.id, slug="help", title="Help a teammate", kind=MissionKind.HELP, points=20)
    experiment = Mission(challenge_id=b.id, slug="try", title="Try a tool", kind=MissionKind.EXPERIMENT, points=7)
    session.add_all([learn, share, helping, experiment])
    session.flush()
    for name in people:
        session.add(Enrolment(challenge_id=a.id, user_id=people[name], team_id=team_of[name],
                              enrolled_at=DAY1 - timedelta(days=1)))
    session.add(Enrolment(challenge_id=b.id, user_id=people["r1"], team_id=red.id, enrolled_at=DAY1 - timedelta(days=1)))

    completions = {}
    for key, name, mission, when in [("r1-learn-1", "r1", learn, DAY1), ("r1-learn-2", "r1", learn, DAY2),
                                     ("r1-share", "r1", share, DAY2), ("r2-learn", "r2", learn, DAY3),
                                     ("b1-help", "b1", helping, DAY1), ("r1-try", "r1", experiment, DAY2)]:
        completion = Completion(idempotency_key=key, mission_id=mission.id, challenge_id=mission.challenge_id,
                                user_id=people[name], team_id=team_of[name], points_awarded=mission.points,
                                created_at=when)
        session.add(completion)
        session.flush()
        completions[key] = completion
        session.add(PointEvent(user_id=people[name], team_id=team_of[name], challenge_id=mission.challenge_id,
                               amount=mission.points, reason=PointReason.COMPLETION, source_type="completion",
                               source_id=completion.id, created_at=when))
    session.add(PointEvent(user_id=people["r3"], team_id=red.id, challenge_id=a.id, amount=3,
                           reason=PointReason.KUDOS_RECEIVED, source_type="kudos", source_id=1, created_at=DAY2))

    prompt = ReflectionPrompt(work_key="completion:r1", user_id=people["r1"], challenge_id=a.id,
                              completion_id=completions["r1-learn-1"].id, status=PromptStatus.ANSWERED, text="Why?")
    session.add(prompt)
    session.flush()
    session.add_all([
        Reflection(prompt_id=prompt.id, user_id=people["r1"], challenge_id=a.id, team_id=red.id, body="I learned.",
                   created_at=DAY1 + timedelta(hours=1)),
        Reflection(user_id=people["b1"], challenge_id=a.id, team_id=blue.id, body="Helping helps.", created_at=DAY3),
    ])

    first = Badge(challenge_id=a.id, slug="first", name="First step", rule=BadgeRule.MISSIONS_COMPLETED,
                  params={"threshold": 1})
    together = Badge(challenge_id=a.id, slug="together", name="Red together", rule=BadgeRule.TEAM_POINTS_REACHED,
                     scope=BadgeScope.TEAM, params={"threshold": 30})
    session.add_all([first, together])
    session.flush()
    session.add_all([
        BadgeAward(badge_id=first.id, challenge_id=a.id, subject=f"user:{people['r1']}", user_id=people["r1"],
                   awarded_at=DAY1),
        BadgeAward(badge_id=first.id, challenge_id=a.id, subject=f"user:{people['b1']}", user_id=people["b1"],
                   awarded_at=DAY1),
        BadgeAward(badge_id=together.id, challenge_id=a.id, subject=f"team:{red.id}", team_id=red.id, awarded_at=DAY2),
    ])

    feedback, sharing = Skill(challenge_id=a.id, name="Giving feedback", position=0), \
        Skill(challenge_id=a.id, name="Sharing", position=1)
    session.add_all([feedback, sharing])
    session.flush()
    for name, skill, phase, rating in [("r1", feedback, "before", 2), ("r1", feedback, "after", 4),
                                       ("r2", feedback, "before", 3), ("b1", feedback, "before", 4),
                                       ("b1", feedback, "after", 5), ("r1", sharing, "before", 1)]:
        session.add(SelfAssessment(user_id=people[name], team_id=team_of[name], challenge_id=a.id, skill_id=skill.id,
                                   phase=AssessmentPhase(phase), rating=rating))
    session.commit()
    return World(a.id, b.id, red.id, blue.id, green.id, people, {"feedback": feedback.id, "sharing": sharing.id})
