"""The pseudonymiser of one writer call: every person of the organisation, numbered the same in every call."""
from __future__ import annotations

from sqlmodel import Session, select

from webapp.models import Membership, User
from webapp.names import Person, Pseudonymiser


def pseudonymiser_for(session: Session, team_id: int | None, authors: set[int]) -> Pseudonymiser:
    """The team's members and `authors` become "Participant N", everyone else "Colleague N": a name from
    outside the team ("building on Sofia's course") is a name all the same."""
    team = set(session.exec(select(Membership.user_id).where(Membership.team_id == team_id)).all()) if team_id else set()
    people = [Person(user_id, name) for user_id, name in session.exec(select(User.id, User.display_name)).all()]
    return Pseudonymiser(people, team | authors)
