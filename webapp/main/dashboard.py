"""What a user's dashboard shows, computed from the database without a request."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from ..models import Challenge, ChallengeStatus, ChallengeTeam, Membership, PointEvent, Team, User


@dataclass
class DashboardView:
    user: User
    teams: list[Team] = field(default_factory=list)
    led_team_ids: set[int] = field(default_factory=set)
    challenges: list[Challenge] = field(default_factory=list)
    total_points: int = 0


def dashboard_for(session: Session, user: User) -> DashboardView:
    memberships = session.exec(select(Membership, Team).join(Team).where(Membership.user_id == user.id)).all()
    team_ids = [team.id for _, team in memberships]
    challenges = session.exec(
        select(Challenge)
        .join(ChallengeTeam)
        .where(col(ChallengeTeam.team_id).in_(team_ids), col(Challenge.status).in_(
            [ChallengeStatus.PUBLISHED, ChallengeStatus.RUNNING]))
        .distinct()
        .order_by(Challenge.starts_at)
    ).all() if team_ids else []
    total = session.exec(select(func.coalesce(func.sum(PointEvent.amount), 0)).where(PointEvent.user_id == user.id)).one()
    return DashboardView(
        user=user,
        teams=[team for _, team in memberships],
        led_team_ids={team.id for membership, team in memberships if membership.is_lead},
        challenges=list(challenges),
        total_points=int(total),
    )
