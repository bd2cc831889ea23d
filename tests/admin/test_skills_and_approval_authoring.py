"""Authoring the skills a mission builds and whether a lead approves it: YAML files and the admin form."""
from __future__ import annotations

import pytest
import yaml
from sqlmodel import select

from webapp.problems import Invalid
from webapp.challenges.yaml_io import export_challenge, import_challenge, import_template
from webapp.models import Badge, BadgeRule, Mission, MissionApproval, MissionSkill, Skill

DOCUMENT = """
slug: pairing-month
title: Pairing month
ends_at: 2027-06-30T17:00:00Z
starts_at: 2027-06-01T09:00:00Z
skills: [Testing, Pairing]
missions:
  - slug: pair-on-a-test
    title: Pair on a test
    kind: experiment
    points: 20
    approval: lead
    skills: {Testing: 2, Pairing: 1}
  - slug: read
    title: Read
    kind: learn
    points: 5
badges:
  - slug: tester
    name: Tester
    rule: skill_level_reached
    threshold: 3
    skill: Testing
"""


def test_yaml_carries_mission_skills_approval_and_skill_badges_both_ways(session):
    challenge = import_challenge(session, DOCUMENT)
    session.commit()
    pair = session.exec(select(Mission).where(Mission.slug == "pair-on-a-test")).one()
    assert pair.approval == MissionApproval.LEAD
    weights = {name: weight for name, weight in session.exec(
        select(Skill.name, MissionSkill.weight).join(MissionSkill).where(MissionSkill.mission_id == pair.id))}
    assert weights == {"Testing": 2, "Pairing": 1}
    exported = yaml.safe_load(export_challenge(session, challenge))
    assert exported["missions"][0]["skills"] == {"Testing": 2, "Pairing": 1}
    assert exported["missions"][0]["approval"] == "lead"
    assert "approval" not in exported["missions"][1] and "skills" not in exported["missions"][1]
    assert exported["badges"][0] == {"slug": "tester", "name": "Tester", "description": "",
                                     "rule": "skill_level_reached", "threshold": 3, "skill": "Testing"}


@pytest.mark.parametrize("change, message", [
    ("skills: {Testing: 2, Pairing: 1}", "'Testing' is not in the challenge's skills list"),
    ("skills: {Testing: 11, Pairing: 1}", "less than or equal to 10"),
    ("skill: Testing\n", "the challenge has no skill called 'Testing'"),
])
def test_yaml_refuses_skills_the_challenge_does_not_list(session, change, message):
    text = DOCUMENT.replace("skills: [Testing, Pairing]", "skills: [Pairing]")
    if "11" in change:
        text = DOCUMENT.replace("skills: {Testing: 2, Pairing: 1}", change)
    with pytest.raises(Invalid) as caught:
        import_challenge(session, text)
    assert message in str(caught.value)


def test_templates_name_the_skills_each_mission_builds(session):
    challenge = import_template(session, "new-tool-exploration")
    session.commit()
    missions = session.exec(select(Mission).where(Mission.challenge_id == challenge.id)).all()
    with_skills = {row for row in session.exec(select(MissionSkill.mission_id))}
    assert {mission.id for mission in missions} <= with_skills


def test_admin_form_sets_skills_and_approval(client, session, admin, auth, make_challenge):
    challenge = make_challenge()
    session.add(Skill(challenge_id=challenge.id, name="Testing"))
    session.commit()
    page = f"/admin/challenges/{challenge.id}"
    form = {"slug": "pair", "title": "Pair", "kind": "help", "points": "10", "max_completions": "1",
            "cooldown_hours": "0", "approval": "lead", "skills": "Testing: 3"}
    response = auth.post(f"/admin/challenges/{challenge.id}/missions", form, page=page)
    assert response.status_code == 303
    mission = session.exec(select(Mission).where(Mission.slug == "pair")).one()
    assert mission.approval == MissionApproval.LEAD
    assert session.exec(select(MissionSkill.weight).where(MissionSkill.mission_id == mission.id)).one() == 3
    body = client.get(page).get_data(as_text=True)
    assert "a lead approves" in body and "Testing ×3" in body
    bad = auth.post(f"/admin/challenges/{challenge.id}/missions", {**form, "slug": "other", "skills": "Cooking: 2"},
                    page=page)
    assert bad.status_code == 422 and "&#39;Cooking&#39; is not one of this challenge&#39;s skills" in bad.get_data(as_text=True)
    assert session.exec(select(Mission).where(Mission.slug == "other")).first() is None


def test_admin_form_makes_a_skill_level_badge(client, session, admin, auth, make_challenge):
    challenge = make_challenge()
    session.add(Skill(challenge_id=challenge.id, name="Testing"))
    session.commit()
    page = f"/admin/challenges/{challenge.id}"
    form = {"slug": "tester", "name": "Tester", "rule": "skill_level_reached", "threshold": "3", "skill": "Cooking"}
    bad = auth.post(f"{page}/badges", form, page=page)
    assert bad.status_code == 422 and "no skill called" in bad.get_data(as_text=True)
    assert session.exec(select(Badge).where(Badge.slug == "tester")).first() is None
    too_high = auth.post(f"{page}/badges", {**form, "skill": "Testing", "threshold": "9"}, page=page)
    assert too_high.status_code == 422 and "the skill ladder has 5 levels" in too_high.get_data(as_text=True)
    ok = auth.post(f"{page}/badges", {**form, "skill": "Testing"}, page=page)
    assert ok.status_code == 303
    badge = session.exec(select(Badge).where(Badge.slug == "tester")).one()
    assert badge.rule == BadgeRule.SKILL_LEVEL_REACHED and badge.params == {"threshold": 3, "skill": "Testing"}
    assert "Level 3 reached in a skill: Testing" in client.get(page).get_data(as_text=True)
