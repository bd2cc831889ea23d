"""What a user's dashboard shows, computed from the database without a request."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from ..models import Challenge, ChallengeStatus, ChallengeTeam, Enrolment, Membership, Mission, Team, User
from ..play.access import JOINABLE, VISIBLE
from ..play.progress import MissionCard, Progress, mission_cards, progress_of

NEXT_MISSIONS = 5
RECENT_BADGES = 5


@dataclass
class ChallengeEntry:
    challenge: Challenge
    enrolled_team: Team | None
    join_teams: list[Team]

    @property
    def joinable(self) -> bool:
        return self.enrolled_team is None and bool(self.join_teams) and self.challenge.status in JOINABLE


@dataclass
class DashboardView:
    user: User
    teams: list[Team] = field(default_factory=list)
    led_team_ids: set[int] = field(default_factory=set)
    challenges: list[Challenge] = field(default_factory=list)
    total_points: int = 0
    entries: list[ChallengeEntry] = field(default_factory=list)
    progress: Progress | None = None
    next_missions: list[tuple[Challenge, MissionCard]] = field(default_factory=list)


def dashboard_for(session: Session, user: User) -> DashboardView:
    memberships = session.exec(select(Membership, Team).join(Team).where(Membership.user_id == user.id)).all()
    teams_by_id = {team.id: team for _, team in memberships}
    challenges = list(session.exec(
        select(Challenge)
        .join(ChallengeTeam)
        .where(col(ChallengeTeam.team_id).in_(list(teams_by_id)), col(Challenge.status).in_(VISIBLE))
        .distinct()
        .order_by(Challenge.starts_at)
    ).all()) if teams_by_id else []
    challenge_ids = [challenge.id for challenge in challenges]
    enrolled = {enrolment.challenge_id: enrolment.team_id for enrolment in session.exec(
        select(Enrolment).where(Enrolment.user_id == user.id, col(Enrolment.challenge_id).in_(challenge_ids)))
    } if challenge_ids else {}
    taking_part: dict[int, list[Team]] = {}
    for challenge_id, team_id in session.exec(select(ChallengeTeam.challenge_id, ChallengeTeam.team_id).where(
            col(ChallengeTeam.challenge_id).in_(challenge_ids), col(ChallengeTeam.team_id).in_(list(teams_by_id)))):
        taking_part.setdefault(challenge_id, []).append(teams_by_id[team_id])
    entries = [ChallengeEntry(challenge, teams_by_id.get(enrolled[challenge.id]) if challenge.id in enrolled else None,
                              sorted(taking_part.get(challenge.id, []), key=lambda team: team.name))
               for challenge in challenges]
    progress = progress_of(session, user, None, badge_limit=RECENT_BADGES)
    return DashboardView(
        user=user,
        teams=list(teams_by_id.values()),
        led_team_ids={team.id for membership, team in memberships if membership.is_lead},
        challenges=challenges,
        total_points=progress.points,
        entries=entries,
        progress=progress,
        next_missions=_next_missions(session, user, [c for c in challenges if c.id in enrolled
                                                     and c.status == ChallengeStatus.RUNNING]),
    )


def _next_missions(session: Session, user: User, running: list[Challenge]) -> list[tuple[Challenge, MissionCard]]:
    """Open missions of my running challenges, in the order the admin set, skipping those at their limit."""
    if not running:
        return []
    by_id = {challenge.id: challenge for challenge in running}
    missions = session.exec(select(Mission).where(
        col(Mission.challenge_id).in_(list(by_id)), col(Mission.retired_at).is_(None))
        .order_by(Mission.challenge_id, Mission.position, Mission.id)).all()
    cards = [card for card in mission_cards(session, user, list(missions)) if not card.limit_reached]
    return [(by_id[card.mission.challenge_id], card) for card in cards[:NEXT_MISSIONS]]
