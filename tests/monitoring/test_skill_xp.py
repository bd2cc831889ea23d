"""The programme's skills figures: XP per skill per team from the ledger, beside the self-assessment change,
the skills no mission builds, pending approvals in the funnel, and the CSV of the same."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlmodel import select

from webapp.models import (
    AssessmentPhase,
    Challenge,
    ChallengeStatus,
    ChallengeTeam,
    Completion,
    CompletionStatus,
    Enrolment,
    Mission,
    MissionApproval,
    MissionKind,
    MissionSkill,
    Role,
    SelfAssessment,
    Skill,
    Team,
    utcnow,
)
from webapp.monitoring.figures import dashboard
from webapp.monitoring.scope import Scope
from webapp.monitoring.skill_xp import pending_approvals, skill_xp_figures
from webapp.play.approvals import approve
from webapp.play.missions import complete_mission
from webapp.play.skill_xp import user_skill_xp


@pytest.fixture
def programme(session, make_user):
    now = utcnow()
    challenge = Challenge(slug="craft", title="Craft month", status=ChallengeStatus.RUNNING,
                          starts_at=now - timedelta(days=2), ends_at=now + timedelta(days=20))
    session.add(challenge)
    session.flush()
    testing, pairing, estimating = (Skill(challenge_id=challenge.id, name=name, position=index)
                                    for index, name in enumerate(("Testing", "Pairing", "Estimating")))
    session.add_all([testing, pairing, estimating])
    write = Mission(challenge_id=challenge.id, slug="write-tests", title="Write tests", kind=MissionKind.EXPERIMENT,
                    points=10)
    pair = Mission(challenge_id=challenge.id, slug="pair", title="Pair", kind=MissionKind.HELP, points=20,
                   approval=MissionApproval.LEAD)
    session.add_all([write, pair])
    session.flush()
    session.add_all([MissionSkill(mission_id=write.id, skill_id=testing.id, weight=2),
                     MissionSkill(mission_id=pair.id, skill_id=pairing.id, weight=1),
                     MissionSkill(mission_id=pair.id, skill_id=testing.id, weight=1)])
    people = {}
    for email, team_slug in (("ada@example.com", "red"), ("bo@example.com", "blue")):
        user = make_user(email, team=team_slug)
        team = session.exec(select(Team).where(Team.slug == team_slug)).one()
        if session.get(ChallengeTeam, (challenge.id, team.id)) is None:
            session.add(ChallengeTeam(challenge_id=challenge.id, team_id=team.id))
        session.add(Enrolment(challenge_id=challenge.id, user_id=user.id, team_id=team.id))
        people[email] = (user, team)
    session.commit()
    ada, red = people["ada@example.com"]
    bo, blue = people["bo@example.com"]
    complete_mission(session, ada, write.id, "tests", None, "a1")  # Testing +20 (red)
    complete_mission(session, bo, write.id, "tests", None, "b1")  # Testing +20 (blue)
    complete_mission(session, bo, pair.id, "paired", None, "b2")  # pending: no XP yet
    for phase, rating in ((AssessmentPhase.BEFORE, 2), (AssessmentPhase.AFTER, 4)):
        session.add(SelfAssessment(user_id=ada.id, team_id=red.id, challenge_id=challenge.id, skill_id=testing.id,
                                   phase=phase, rating=rating))
    session.commit()
    return challenge, red, blue


def test_xp_per_skill_and_team_beside_the_self_assessment_change(session, programme):
    challenge, _, _ = programme
    rows = {(row.skill, row.team): row for row in skill_xp_figures(session, Scope(challenge_id=challenge.id))}
    assert (rows[("Testing", None)].xp, rows[("Testing", None)].people) == (40, 2)
    assert rows[("Testing", "Red")].xp == 20 and rows[("Testing", "Red")].change == 2.0
    assert rows[("Testing", "Blue")].xp == 20 and rows[("Testing", "Blue")].change is None
    assert rows[("Pairing", None)].xp == 0  # Bo's pairing waits for approval: no XP yet
    assert rows[("Testing", None)].missions == ["Write tests", "Pair"]
    assert rows[("Estimating", None)].untouched and ("Estimating", "Red") not in rows
    assert pending_approvals(session, Scope(challenge_id=challenge.id)) == 1


def test_dashboard_and_csv_show_skill_xp_and_pending_evidence(client, auth, session, make_user, programme):
    challenge, _, _ = programme
    make_user("admin@example.com", Role.ADMIN)
    auth.login("admin@example.com")
    page = client.get(f"/monitoring/challenges/{challenge.id}").get_data(as_text=True)
    assert "Evidence waiting for a lead's approval: <strong>1</strong>" in page
    assert f'hx-get="/monitoring/challenges/{challenge.id}/skill-xp"' in page  # loaded after the rollup figures
    fragment = client.get(f"/monitoring/challenges/{challenge.id}/skill-xp", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and 'id="skill-xp-table"' in body and "No mission builds this skill" in body
    assert "<h1>" in client.get(f"/monitoring/challenges/{challenge.id}/skill-xp").get_data(as_text=True)
    answer = client.get(f"/monitoring/challenges/{challenge.id}/export/skill-xp.csv")
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert rows[0][:4] == ["skill", "challenge", "team", "XP from missions"]
    assert ["Testing", "Craft month", "Red", "20", "1", "Write tests; Pair", "2.0"] in rows
    assert ["Estimating", "Craft month", "All teams", "0", "0", "no mission builds it", ""] in rows


def test_pending_evidence_counts_only_as_pending_until_approved(session, programme, make_user):
    challenge, red, blue = programme
    scope = Scope(challenge_id=challenge.id)
    pair = session.exec(select(Mission).where(Mission.slug == "pair")).one()
    cy = make_user("cy@example.com", team="blue")
    session.add(Enrolment(challenge_id=challenge.id, user_id=cy.id, team_id=blue.id))
    session.commit()
    waiting = complete_mission(session, cy, pair.id, "paired with Bo", None, "c1").completion
    session.commit()

    def figures():
        data = dashboard(session, scope)
        teams = {team.name: team for team in data.teams}
        by_mission = {mission.title: mission for mission in data.missions}
        return (data.funnel.active, data.funnel.completed, teams["Blue"].completions, teams["Blue"].points,
                by_mission["Pair"].completions, by_mission["Pair"].completers, sum(n for _, n in data.per_day))

    # Bo's and Cy's pairing wait: nobody has completed "Pair", Cy has done nothing that counts yet.
    assert figures() == (2, 2, 1, 10, 0, 0, 2)
    assert pending_approvals(session, scope) == 2
    lead = make_user("lena@example.com", role=Role.LEAD, team="blue", lead=True)
    bo_pending = session.exec(select(Completion).where(Completion.user_id != cy.id,
                                                       Completion.mission_id == pair.id)).one()
    approve(session, lead, bo_pending.id)  # already read by the rollups (as pending)
    session.commit()
    assert figures() == (2, 2, 2, 30, 1, 1, 3)
    late = complete_mission(session, cy, session.exec(select(Mission).where(Mission.slug == "write-tests")).one().id,
                            "tests", None, "c2").completion
    approve(session, lead, waiting.id)  # not read by the rollups yet: they count it when they catch up
    session.commit()
    assert late.status == CompletionStatus.APPROVED
    assert figures() == (3, 3, 4, 60, 2, 2, 5)
    assert figures() == (3, 3, 4, 60, 2, 2, 5)  # counted once, however often the rollups catch up
    assert pending_approvals(session, scope) == 0


def test_programme_xp_per_skill_agrees_with_each_persons_own_xp(session, programme, make_user):
    challenge, red, blue = programme
    lead = make_user("lena@example.com", role=Role.LEAD, team="blue", lead=True)
    pending = session.exec(select(Completion).where(Completion.status == CompletionStatus.PENDING)).one()
    approve(session, lead, pending.id)
    session.commit()
    today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    for scope in (Scope(challenge_id=challenge.id),
                  Scope(challenge_id=challenge.id, start=today, end=today + timedelta(days=1))):
        rows = {(row.skill, row.team): row for row in skill_xp_figures(session, scope)}
        assert (rows[("Testing", None)].xp, rows[("Testing", None)].people) == (60, 2)
        assert (rows[("Testing", "Blue")].xp, rows[("Testing", "Blue")].people) == (40, 1)
        assert (rows[("Pairing", "Blue")].xp, rows[("Pairing", "Blue")].people) == (20, 1)
        assert ("Pairing", "Red") not in rows
    own = {}
    for user_id in session.exec(select(Enrolment.user_id).where(Enrolment.challenge_id == challenge.id)):
        for skill_id, xp in user_skill_xp(session, user_id, challenge.id).items():
            own[skill_id] = own.get(skill_id, 0) + xp
    skills = {skill.name: skill.id for skill in session.exec(select(Skill).where(Skill.challenge_id == challenge.id))}
    assert own == {skills["Testing"]: 60, skills["Pairing"]: 20}
    last_week = Scope(challenge_id=challenge.id, start=today - timedelta(days=7), end=today - timedelta(days=1))
    assert all(row.xp == 0 and row.people == 0 for row in skill_xp_figures(session, last_week))
    only_red = {(row.skill, row.team): row.xp for row in skill_xp_figures(
        session, Scope(challenge_id=challenge.id, team_ids=[red.id]))}
    assert only_red[("Testing", None)] == 20 and ("Testing", "Blue") not in only_red
