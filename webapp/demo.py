"""Demo data for `make run`: teams, one account per role, a running challenge with some history.

Only the embedded default loads it (`flask demo load --if-empty`); nothing creates it in production.
"""
from __future__ import annotations

import random
from datetime import timedelta

from rich.progress import track
from sqlalchemy import func
from sqlmodel import Session, select

from .models import (
    Badge,
    BadgeRule,
    BadgeScope,
    Challenge,
    ChallengeStatus,
    ChallengeTeam,
    Completion,
    Enrolment,
    Membership,
    Mission,
    MissionKind,
    PointEvent,
    PointReason,
    Role,
    Team,
    User,
    utcnow,
)
from .security import hash_password

DEMO_PASSWORD = "learnloop"
TEAM_NAMES = ["Platform", "Payments", "Mobile", "Data", "Support", "Design"]
FIRST_NAMES = [
    "Ada", "Bilal", "Chen", "Dara", "Elif", "Femi", "Greta", "Hiro", "Ines", "Jonas", "Kemi", "Luca",
    "Maya", "Nico", "Olga", "Priya", "Quinn", "Rosa", "Sami", "Tariq", "Uma", "Vera", "Wen", "Yara",
]

MISSIONS = [
    ("read-postmortem", "Read a postmortem from another team", MissionKind.LEARN, 10,
     "Pick a postmortem from another team and note one thing you would do the same way."),
    ("share-til", "Share a 'today I learned'", MissionKind.SHARE, 15,
     "Post something you learned this week where your team can see it."),
    ("try-new-tool", "Try a tool you have never used", MissionKind.EXPERIMENT, 20,
     "Use a new tool on real work for an hour. What surprised you? Mistakes count too."),
    ("pair-up", "Pair with a teammate on their problem", MissionKind.HELP, 15,
     "Spend 30 minutes helping someone on their task, or teach them something you know."),
    ("give-feedback", "Give constructive feedback", MissionKind.FEEDBACK, 10,
     "Give a teammate specific, kind feedback on something they shipped."),
]

BADGES = [
    ("first-step", "First step", BadgeRule.MISSIONS_COMPLETED, BadgeScope.INDIVIDUAL, {"threshold": 1}),
    ("experimenter", "Experimenter", BadgeRule.MISSIONS_COMPLETED, BadgeScope.INDIVIDUAL,
     {"threshold": 2, "kind": "experiment"}),
    ("on-a-roll", "On a roll", BadgeRule.STREAK_DAYS, BadgeScope.INDIVIDUAL, {"threshold": 3}),
    ("century", "Century", BadgeRule.POINTS_REACHED, BadgeScope.INDIVIDUAL, {"threshold": 100}),
    ("reflective", "Reflective", BadgeRule.REFLECTIONS_WRITTEN, BadgeScope.INDIVIDUAL, {"threshold": 3}),
    ("cheerleader", "Cheerleader", BadgeRule.KUDOS_GIVEN, BadgeScope.INDIVIDUAL, {"threshold": 5}),
    ("all-hands-share", "Everyone shared", BadgeRule.TEAM_ALL_COMPLETED_KIND, BadgeScope.TEAM, {"kind": "share"}),
    ("team-500", "Team 500", BadgeRule.TEAM_POINTS_REACHED, BadgeScope.TEAM, {"threshold": 500}),
]

# The symbol on each demo badge's medallion (an admin picks it for real badges).
BADGE_ICONS = {"first-step": "rocket", "experimenter": "lightbulb", "on-a-roll": "flame", "century": "gem",
               "reflective": "notebook-pen", "cheerleader": "heart", "all-hands-share": "users", "team-500": "crown"}


def database_is_empty(session: Session) -> bool:
    return session.exec(select(func.count()).select_from(User)).one() == 0


def load_demo(session: Session, seed: int = 7) -> str:
    """Create the demo world and commit it; returns a one-line summary."""
    rng = random.Random(seed)
    password_hash = hash_password(DEMO_PASSWORD)  # one hash: every demo account shares the password
    teams = [Team(name=name, slug=name.lower()) for name in TEAM_NAMES]
    session.add_all(teams)
    session.flush()

    def account(email: str, name: str, role: Role, team: Team, lead: bool = False) -> User:
        user = User(email=email, display_name=name, password_hash=password_hash, role=role)
        session.add(user)
        session.flush()
        session.add(Membership(user_id=user.id, team_id=team.id, is_lead=lead))
        return user

    people = [
        account("admin@example.com", "Alex Admin", Role.ADMIN, teams[0]),
        account("lead@example.com", "Lee Lead", Role.LEAD, teams[0], lead=True),
        account("employee@example.com", "Emma Employee", Role.EMPLOYEE, teams[0]),
    ]
    for index, first in enumerate(FIRST_NAMES):
        team = teams[index % len(teams)]
        leads_team = team is not teams[0] and index < len(teams)  # the first person of each other team leads it
        role = Role.LEAD if leads_team else Role.EMPLOYEE
        people.append(account(f"{first.lower()}@example.com", f"{first} {chr(65 + index)}.", role, team,
                              lead=leads_team))

    now = utcnow()
    challenge = Challenge(
        slug="learning-from-mistakes",
        title="A month of learning from mistakes",
        description=(
            "Four weeks to get better at **learning out loud**: read what others learned, share what you know, "
            "try something new (a mistake counts if you say what it taught you), help a teammate, and give "
            "feedback that helps."
        ),
        starts_at=now - timedelta(days=10),
        ends_at=now + timedelta(days=18),
        status=ChallengeStatus.RUNNING,
        daily_point_cap=60,
    )
    session.add(challenge)
    session.flush()
    missions = []
    for position, (slug, title, kind, points, instructions) in enumerate(MISSIONS):
        mission = Mission(challenge_id=challenge.id, slug=slug, title=title, kind=kind, points=points,
                          instructions=instructions, max_completions=None if kind != MissionKind.LEARN else 5,
                          cooldown_hours=12 if kind == MissionKind.SHARE else 0, position=position)
        session.add(mission)
        missions.append(mission)
    for slug, name, rule, scope, params in BADGES:
        session.add(Badge(challenge_id=challenge.id, slug=slug, name=name, rule=rule, scope=scope, params=params,
                          icon=BADGE_ICONS.get(slug, "award")))
    for team in teams:
        session.add(ChallengeTeam(challenge_id=challenge.id, team_id=team.id))
    session.flush()

    team_of = {}
    for membership in session.exec(select(Membership)):
        team_of[membership.user_id] = membership.team_id
    completions = 0
    for user in track(people, description="Demo history"):
        session.add(Enrolment(challenge_id=challenge.id, user_id=user.id, team_id=team_of[user.id],
                              enrolled_at=now - timedelta(days=10)))
        if user.email == "employee@example.com":
            continue  # the demo employee starts fresh, to try completing a mission themselves
        for day in range(rng.randint(0, 9)):
            mission = rng.choice([m for m in missions if m.kind != MissionKind.SHARE])
            when = now - timedelta(days=9 - day, hours=rng.randint(0, 8))
            completion = Completion(
                idempotency_key=f"demo-{user.id}-{day}", mission_id=mission.id, challenge_id=challenge.id,
                user_id=user.id, team_id=team_of[user.id], evidence_text=f"Demo evidence for {mission.title}.",
                points_awarded=mission.points, created_at=when,
            )
            session.add(completion)
            session.flush()
            session.add(PointEvent(user_id=user.id, team_id=team_of[user.id], challenge_id=challenge.id,
                                   amount=mission.points, reason=PointReason.COMPLETION, source_type="completion",
                                   source_id=completion.id, created_at=when))
            completions += 1
    session.flush()
    _award_demo_badges(session, challenge.id, team_of)
    session.commit()
    from .summaries.demo import add_review_demo

    add_review_demo(session)  # shared reflections of Platform and their draft summary, for the lead to review
    return (f"Demo data loaded: {len(teams)} teams, {len(people)} users, 1 running challenge, "
            f"{completions} completions. Sign in as admin@, lead@ or employee@example.com with '{DEMO_PASSWORD}'.")


def _award_demo_badges(session: Session, challenge_id: int, team_of: dict[int, int]) -> None:
    """Evaluate the badges over the demo history, as completions would have: people start with the badges
    they earned, instead of the next completion awarding them all at once."""
    from .play.badges import award_badges
    from .play.events import PlayEvent, PlayEventKind

    players = session.exec(select(Completion.user_id).where(Completion.challenge_id == challenge_id).distinct()).all()
    for user_id in sorted(players):
        award_badges(session, [PlayEvent(kind, user_id, team_of[user_id], challenge_id)
                               for kind in (PlayEventKind.MISSION_COMPLETED, PlayEventKind.POINTS_RECORDED)])
