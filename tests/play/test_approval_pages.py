"""The approval flow through the pages: waiting, the lead's queue, send back with feedback, resubmit, approve."""
from __future__ import annotations

import re

from sqlmodel import select

from webapp.models import Completion, CompletionStatus, MissionApproval, MissionSkill, Role, Skill
from webapp.play.ledger import user_points


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
    assert re.search(r'id="skill-\d+">\s*<th scope="row">Testing</th>\s*<td>Level 3 · Practising', page)
    auth.post("/play/celebrations/seen", {"challenge_id": world.challenge.id}, page=page_url)
    assert 'id="celebrations"' not in client.get(page_url).get_data(as_text=True)
    session.expire_all()
    assert user_points(session, ada.id) == 30
    assert session.get(Completion, completion.id).status == CompletionStatus.APPROVED
