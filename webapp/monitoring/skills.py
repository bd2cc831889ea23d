"""The skills a challenge targets, and participants rating themselves on them before and after."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from ..inputs import whole_number
from ..jobs import when_challenge_closes
from ..models import (
    AssessmentPhase,
    Challenge,
    ChallengeStatus,
    Enrolment,
    Membership,
    SelfAssessment,
    Skill,
    User,
    utcnow,
)

MAX_SKILLS = 12
MAX_NAME = 120
RATINGS = {1: "1 – just starting", 2: "2 – a little", 3: "3 – getting there", 4: "4 – confident",
           5: "5 – could teach it"}
BEFORE_OPEN = (ChallengeStatus.PUBLISHED, ChallengeStatus.RUNNING)


class SkillsInvalid(ValueError):
    """The list of skills cannot be saved; `message` says why."""


class AssessmentUnavailable(LookupError):
    """No self-assessment here for this user; `status` is 404 (no such page) or 403 (not for you, not now)."""

    def __init__(self, message: str, status: int = 403):
        super().__init__(message)
        self.status = status


class AssessmentInvalid(ValueError):
    """Some skills were not rated 1 to 5; `errors` maps skill id to a message."""

    def __init__(self, errors: dict[int, str]):
        super().__init__(errors)
        self.errors = errors


def skills_of(session: Session, challenge_id: int) -> list[Skill]:
    return list(session.exec(select(Skill).where(Skill.challenge_id == challenge_id)
                             .order_by(Skill.position, Skill.id)))


def has_skills(session: Session, challenge_id: int) -> bool:
    return session.exec(select(Skill.id).where(Skill.challenge_id == challenge_id)).first() is not None


def parse_skill_names(text: str) -> list[str]:
    """One skill per line, blank lines ignored. Raises SkillsInvalid for too long, too many or repeated names."""
    names = [line.strip() for line in text.splitlines() if line.strip()]
    if len(names) > MAX_SKILLS:
        raise SkillsInvalid(f"Name at most {MAX_SKILLS} skills.")
    seen: set[str] = set()
    for name in names:
        if len(name) > MAX_NAME:
            raise SkillsInvalid(f"“{name[:40]}…” is longer than {MAX_NAME} characters.")
        if name.casefold() in seen:
            raise SkillsInvalid(f"“{name}” is listed twice.")
        seen.add(name.casefold())
    return names


def set_skills(session: Session, challenge: Challenge, text: str) -> list[Skill]:
    """Make the challenge's skills the lines of `text`, in order; kept names keep their answers.

    Raises SkillsInvalid, changing nothing, for bad names or for removing a skill people already rated.
    """
    names = parse_skill_names(text)
    current = {skill.name.casefold(): skill for skill in skills_of(session, challenge.id)}
    wanted = {name.casefold() for name in names}
    removed = [skill for key, skill in current.items() if key not in wanted]
    if removed:
        answered = dict(session.exec(
            select(SelfAssessment.skill_id, func.count()).where(
                col(SelfAssessment.skill_id).in_([skill.id for skill in removed]))
            .group_by(SelfAssessment.skill_id)).all())
        for skill in removed:
            if answered.get(skill.id):
                raise SkillsInvalid(f"“{skill.name}” already has {answered[skill.id]} answers; it cannot be removed.")
        for skill in removed:
            session.delete(skill)
        session.flush()
    skills = []
    for position, name in enumerate(names):
        skill = current.get(name.casefold()) or Skill(challenge_id=challenge.id, name=name)
        skill.name, skill.position = name, position
        session.add(skill)
        skills.append(skill)
    session.flush()
    return skills


@dataclass
class AssessmentForm:
    challenge: Challenge
    phase: AssessmentPhase
    skills: list[Skill]
    ratings: dict[int, int]  # skill id -> the rating given (or typed) so far


def assessment_form(session: Session, user: User, challenge: Challenge, phase: str) -> AssessmentForm:
    """The self-assessment a participant may give now. Raises AssessmentUnavailable.

    "before" is open while the challenge can be joined or played, "after" once it has closed.
    """
    try:
        phase = AssessmentPhase(phase)
    except ValueError:
        raise AssessmentUnavailable("Choose the phase: before or after.", 404) from None
    enrolment = _enrolment(session, user, challenge.id)
    # Membership is the rule: someone moved out of the team they enrolled with no longer takes part.
    if enrolment is None or session.exec(select(Membership.id).where(
            Membership.user_id == user.id, Membership.team_id == enrolment.team_id)).first() is None:
        raise AssessmentUnavailable("Only people taking part in the challenge rate themselves.")
    skills = skills_of(session, challenge.id)
    if not skills:
        raise AssessmentUnavailable("This challenge names no skills to rate.", 404)
    if phase == AssessmentPhase.BEFORE and challenge.status not in BEFORE_OPEN:
        raise AssessmentUnavailable("The self-assessment before the challenge is closed now.")
    if phase == AssessmentPhase.AFTER and challenge.status != ChallengeStatus.CLOSED:
        raise AssessmentUnavailable("The self-assessment after the challenge opens when it closes.")
    ratings = dict(session.exec(select(SelfAssessment.skill_id, SelfAssessment.rating).where(
        SelfAssessment.user_id == user.id, SelfAssessment.challenge_id == challenge.id,
        SelfAssessment.phase == phase)).all())
    return AssessmentForm(challenge, phase, skills, ratings)


def _enrolment(session: Session, user: User, challenge_id: int) -> Enrolment | None:
    return session.exec(select(Enrolment).where(Enrolment.challenge_id == challenge_id,
                                                Enrolment.user_id == user.id)).first()


def save_assessment(session: Session, user: User, form: AssessmentForm, answers) -> None:
    """Store one rating per skill (answers: a mapping "skill-<id>" -> "1".."5"); re-answering updates.

    Raises AssessmentInvalid, changing nothing, unless every skill has a rating from 1 to 5;
    form.ratings keeps what was typed so the page can show it again.
    """
    errors: dict[int, str] = {}
    typed: dict[int, int] = {}
    for skill in form.skills:
        value = whole_number(answers.get(f"skill-{skill.id}"))
        if value in RATINGS:
            typed[skill.id] = value
        else:
            errors[skill.id] = "Choose a rating from 1 to 5."
    form.ratings = {**form.ratings, **typed}
    if errors:
        raise AssessmentInvalid(errors)
    team_id = _enrolment(session, user, form.challenge.id).team_id
    existing = {row.skill_id: row for row in session.exec(select(SelfAssessment).where(
        SelfAssessment.user_id == user.id, SelfAssessment.challenge_id == form.challenge.id,
        SelfAssessment.phase == form.phase))}
    for skill_id, rating in typed.items():
        row = existing.get(skill_id) or SelfAssessment(user_id=user.id, team_id=team_id, skill_id=skill_id,
                                                         challenge_id=form.challenge.id, phase=form.phase,
                                                         rating=rating)
        row.rating, row.created_at = rating, utcnow()
        session.add(row)
    session.flush()


@when_challenge_closes
def invite_after_assessment(session: Session, challenge: Challenge) -> None:
    """End-of-challenge step: ask everyone enrolled to rate the skills again; a second run adds nothing."""
    if not has_skills(session, challenge.id):
        return
    from ..notifications.delivery import store

    enrolled = session.exec(select(Enrolment.user_id).where(Enrolment.challenge_id == challenge.id)).all()
    store(session, "assessment_after", enrolled,
          f"“{challenge.title}” has closed: rate the skills it targeted again to see how far you came.",
          source=f"self-assessment-after:{challenge.id}",
          link=f"/challenges/{challenge.id}/self-assessment?phase=after")
