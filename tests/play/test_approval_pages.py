"""The approval flow through the pages: waiting, the lead's queue, send back with feedback, resubmit, approve."""
from __future__ import annotations

import re

from sqlmodel import select

from webapp.models import (
    AssessmentPhase,
    Completion,
    CompletionStatus,
    MissionApproval,
    MissionSkill,
    Role,
    SelfAssessment,
    Skill,
)
from webapp.play.ledger import user_points
from webapp.play.missions import complete_mission


def form_key(page: str, mission_id: int) -> str:
    return re.search(rf'id="mission-{mission_id}".*?name="idempotency_key" value="([^"]+)"', page, re.S).group(1)


def test_send_back_resubmit_approve_through_the_pages(world, session, client, auth, make_user):
    skill = Skill(challenge_id=world.challenge.id, name="Testing")
    session.add(skill)
    mission = world.mission(slug="pair", points=30, approval=MissionApproval.LEAD)
    session.add(MissionSkill(mission_id=mission.id, skill_id=skill.id, weight=2))
    session.commit()
    ada = world.player("ada@example.com")
    make_user("lena@example.com", role=Role.LEAD, team="red", lead=True)
    page_url = f"/play/challenges/{world.challenge.id}"

    auth.login("ada@example.com")
    page = client.get(page_url).get_data(as_text=True)
    assert "a lead approves the evidence" in page
    response = auth.post(f"/play/missions/{mission.id}/complete",
                         {"evidence_text": "Paired with Bo", "idempotency_key": form_key(page, mission.id)})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "waiting for approval" in page and '<p class="big-figure" id="my-points">0</p>' in page
    card = re.search(rf'<article id="mission-{mission.id}".*?</article>', page, re.S).group(0)
    assert "done 0 of 1" in card and "1 waiting for approval" in card and "Waiting for approval." in card  # not "Completed"
    completion = session.exec(select(Completion)).one()

    auth.logout()
    auth.login("lena@example.com")
    queue = client.get("/play/approvals").get_data(as_text=True)
    assert "Paired with Bo" in queue and "Ada" in queue
    refused = auth.post(f"/play/approvals/{completion.id}/send-back", {"feedback": ""}, page="/play/approvals")
    assert refused.status_code == 422 and "Write what would make this evidence count" in refused.get_data(as_text=True)
    response = auth.post(f"/play/approvals/{completion.id}/send-back",
                         {"feedback": "Say what <b>you</b> learned."}, page="/play/approvals")
    assert response.status_code == 303

    auth.logout()
    auth.login("ada@example.com")
    page = client.get(page_url).get_data(as_text=True)
    assert "Say what &lt;b&gt;you&lt;/b&gt; learned." in page  # shown, escaped
    response = auth.post(f"/play/completions/{completion.id}/resubmit",
                         {"evidence_text": "Learned to write the test first"}, page=page_url)
    assert response.status_code == 303
    assert "waiting for approval" in client.get(page_url).get_data(as_text=True)

    auth.logout()
    auth.login("lena@example.com")
    response = auth.post(f"/play/approvals/{completion.id}/approve", {}, page="/play/approvals")
    assert response.status_code == 303
    assert "Nothing waits for your approval." in client.get("/play/approvals").get_data(as_text=True)

    auth.logout()
    auth.login("ada@example.com")
    page = client.get(page_url).get_data(as_text=True)
    assert "Approved: Pair, +30 points." in page and 'id="celebrations"' in page
    assert '<p class="big-figure" id="my-points">30</p>' in page
    card = re.search(rf'<article id="mission-{mission.id}".*?</article>', page, re.S).group(0)
    assert "done 1 of 1" in card and "waiting" not in card and "Completed." in card
    assert re.search(r'id="skill-\d+">\s*<th scope="row">Testing</th>\s*<td>Level 3 · Practising', page)
    auth.post("/play/celebrations/seen", {"challenge_id": world.challenge.id}, page=page_url)
    assert 'id="celebrations"' not in client.get(page_url).get_data(as_text=True)
    session.expire_all()
    assert user_points(session, ada.id) == 30
    assert session.get(Completion, completion.id).status == CompletionStatus.APPROVED


def test_bulk_approve_from_the_queue_approves_only_the_leads_teams(world, session, client, auth, make_user):
    mission = world.mission(slug="pair", points=30, approval=MissionApproval.LEAD, max_completions=None)
    ada, bo = world.player("ada@example.com"), world.player("bo@example.com", team="blue")
    make_user("lena@example.com", role=Role.LEAD, team="red", lead=True)
    mine = [complete_mission(session, ada, mission.id, f"pairing {n}", None, f"a{n}").completion.id for n in range(2)]
    theirs = complete_mission(session, bo, mission.id, "pairing", None, "b1").completion.id
    session.commit()
    auth.login("lena@example.com")
    queue = client.get("/play/approvals").get_data(as_text=True)
    assert f'name="completion_id" value="{mine[0]}" form="bulk-approve"' in queue and "pairing" in queue
    assert f'value="{theirs}"' not in queue  # another team's evidence is not even listed
    response = auth.post("/play/approvals/approve", {"completion_id": [*map(str, mine), str(theirs), "x",
                                                                       "99999999999999999999999"]},
                         page="/play/approvals")
    assert response.status_code == 303
    assert "Approved 2 completions." in client.get(response.headers["Location"]).get_data(as_text=True)
    session.expire_all()
    assert user_points(session, ada.id) == 60 and user_points(session, bo.id) == 0
    assert session.get(Completion, theirs).status == CompletionStatus.PENDING


def test_my_skill_levels_stand_beside_my_own_ratings(world, session, client, auth):
    testing, pairing = (Skill(challenge_id=world.challenge.id, name=name, position=n)
                        for n, name in enumerate(("Testing", "Pairing")))
    session.add_all([testing, pairing])
    mission = world.mission(slug="test", points=40)
    session.add(MissionSkill(mission_id=mission.id, skill_id=testing.id, weight=2))
    session.commit()
    ada = world.player("ada@example.com")
    for phase, rating in ((AssessmentPhase.BEFORE, 2), (AssessmentPhase.AFTER, 4)):
        session.add(SelfAssessment(user_id=ada.id, team_id=world.team("red").id, challenge_id=world.challenge.id,
                                   skill_id=testing.id, phase=phase, rating=rating))
    complete_mission(session, ada, mission.id, "tests", None, "k1")  # 80 XP in Testing: level 3 (60) of 150
    session.commit()
    auth.login("ada@example.com")
    page = client.get(f"/play/challenges/{world.challenge.id}").get_data(as_text=True)
    row = re.search(rf'<tr id="skill-{testing.id}">(.*?)</tr>', page, re.S).group(1)
    assert "Level 3 · Practising" in row and "80 XP, 70 to the next" in row
    assert re.search(r'<progress value="22" max="100"', row)  # (80 - 60) / (150 - 60)
    assert re.findall(r"<td>(\d) of 5</td>", row) == ["2", "4"]  # before, after: beside the level
    other = re.search(rf'<tr id="skill-{pairing.id}">(.*?)</tr>', page, re.S).group(1)
    assert "Level 1 · Curious" in other and other.count("not rated") == 2
