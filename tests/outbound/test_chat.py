"""Team chat messages (Slack, Microsoft Teams): set by the team's lead, kept encrypted, posted through the outbox
to a real local server, switched off (and the lead told) when the hook keeps failing."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from webapp.challenges import lifecycle
from webapp.models import (
    BadgeRule, BadgeScope, ChallengeStatus, ChatHook, DeliveryStatus, LessonSummary,
    LessonSummaryVersion, Notification, OutboundDelivery, Reflection, Role, SummaryStatus, Visibility, utcnow,
)
from webapp.outbound import chat
from webapp.play.missions import complete_mission
from webapp.settings import load_settings

from .conftest import outbound_jobs, run_job_now

SLACK_PATH = "/services/T000/B000/XXXXSECRET"
TEAMS_PATH = "/webhookb2/abc@def/IncomingWebhook/0123/SECRET"


def _lead_sets_hook(world, make_user, auth, url: str, team="red"):
    lead = world.player("lead@corp.example", team=team, lead=True, role=Role.LEAD)
    auth.login("lead@corp.example")
    team_id = world.team(team).id
    response = auth.post(f"/teams/{team_id}/chat", {"url": url}, page=f"/teams/{team_id}/chat")
    assert response.status_code == 303, response.get_data(as_text=True)
    return lead, team_id


def test_address_is_stored_encrypted_and_never_shown_again(world, session, make_user, auth, client, recorder):
    url = recorder.url(SLACK_PATH)
    _, team_id = _lead_sets_hook(world, make_user, auth, url)
    page = client.get(f"/teams/{team_id}/chat").get_data(as_text=True)
    assert "Slack" in page and "127.0.0.1" in page
    assert "XXXXSECRET" not in page and url not in page
    hook = session.exec(select(ChatHook)).one()
    assert "XXXXSECRET" not in hook.url_encrypted
    from webapp.settings import get_settings

    assert chat.decrypt_url(get_settings(), hook.url_encrypted) == url


@pytest.mark.parametrize("settings_overrides", [{"public_url": "http://learnloop.test"}])
def test_only_slack_and_teams_addresses_are_accepted(world, session, make_user, auth):
    world.player("lead@corp.example", lead=True, role=Role.LEAD)
    auth.login("lead@corp.example")
    team_id = world.team("red").id
    for url in ("http://127.0.0.1:9/services/T/B/X", "https://evil.example/services/x", "http://hooks.slack.com/x"):
        response = auth.post(f"/teams/{team_id}/chat", {"url": url}, page=f"/teams/{team_id}/chat")
        assert response.status_code == 422
        assert "incoming webhook address" in response.get_data(as_text=True) or "https://" in \
            response.get_data(as_text=True)
    assert session.exec(select(ChatHook)).all() == []
    strict = load_settings()
    assert chat.service_of(strict, "https://hooks.slack.com/services/T/B/X") == ("slack", "hooks.slack.com")
    assert chat.service_of(strict, "https://corp.webhook.office.com/webhookb2/x")[0] == "teams"
    assert chat.service_of(strict, "https://prod-12.westeurope.logic.azure.com/workflows/x")[0] == "teams"


def test_team_badge_reaches_slack_with_its_name(world, session, make_user, auth, recorder, run_jobs):
    _lead_sets_hook(world, make_user, auth, recorder.url(SLACK_PATH))
    world.badge(BadgeRule.TEAM_POINTS_REACHED, {"threshold": 10}, slug="team-<b>ten</b>", scope=BadgeScope.TEAM)
    complete_mission(session, world.player("ada@corp.example"), world.mission().id, "Read", None, "key-1")
    session.commit()
    run_jobs()
    [received] = [r for r in recorder.received if r.path == SLACK_PATH]
    body = received.json()
    assert body["text"].startswith("Team badge earned: Team-&lt;B&gt;Ten&lt;/B&gt;")  # escaped for Slack's mrkdwn
    assert body["blocks"][0]["type"] == "section" and "Learn Week" in body["blocks"][0]["text"]["text"]


def test_lesson_published_reaches_teams_as_an_adaptive_card(world, session, make_user, auth, client, recorder,
                                                            run_jobs):
    lead, team_id = _lead_sets_hook(world, make_user, auth, recorder.url(TEAMS_PATH))
    reflection = Reflection(user_id=lead.id, challenge_id=world.challenge.id, team_id=team_id,
                            body="Smaller changes are easier to review.", visibility=Visibility.TEAM)
    session.add(reflection)
    session.flush()
    summary = LessonSummary(work_key="s1", team_id=team_id, challenge_id=world.challenge.id, trigger="on_demand",
                            status=SummaryStatus.APPROVED, current_version=1)
    session.add(summary)
    session.flush()
    content = {"key_lessons": [{"text": "Small changes are safer.", "citations": [reflection.id]}],
               "practices": [], "mistakes": [], "open_questions": [], "next_experiments": []}
    session.add(LessonSummaryVersion(summary_id=summary.id, number=1, content=content, writer="offline"))
    session.commit()
    response = auth.post(f"/review/summaries/{summary.id}/publish", {"revision": summary.revision},
                         page="/review/")
    assert response.status_code == 303
    run_jobs()
    [received] = [r for r in recorder.received if r.path == TEAMS_PATH]
    card = received.json()["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    texts = [block["text"] for block in card["content"]["body"]]
    assert texts == ["Lessons published", "The team published 1 lesson from Learn Week."]
    assert card["content"]["actions"][0]["url"].endswith(f"/library/summaries/{summary.id}")


def test_challenge_start_and_end_reach_each_team_once(world, session, make_user, auth, recorder, run_jobs):
    _lead_sets_hook(world, make_user, auth, recorder.url(SLACK_PATH))
    challenge = world.make_challenge(slug="tool-week", teams=("red", "blue"), status=ChallengeStatus.PUBLISHED)
    lifecycle.advance_challenges(session)
    session.commit()
    lifecycle.close(session, challenge)
    session.commit()
    run_jobs()
    titles = [r.json()["text"].split(":")[0] for r in recorder.received]
    assert titles == ["Challenge started", "Challenge ended"]


def test_weekly_summary_line_is_posted_once_per_week(world, session, make_user, auth, recorder, run_jobs):
    _lead_sets_hook(world, make_user, auth, recorder.url(SLACK_PATH))
    complete_mission(session, world.player("ada@corp.example"), world.mission(points=30).id, "Read", None, "key-1")
    session.commit()
    next_week = chat.week_start(utcnow()) + timedelta(days=7, hours=9)
    assert chat.post_weekly_summaries(session, now=next_week) == 1
    session.commit()
    assert chat.post_weekly_summaries(session, now=next_week + timedelta(hours=1)) == 0
    session.commit()
    run_jobs()
    [received] = recorder.received
    assert "Last week the team completed 1 mission, earned 30 points and 0 badges." in received.json()["text"]


def test_quiet_team_gets_no_weekly_line(world, session, make_user, auth, recorder, run_jobs):
    _lead_sets_hook(world, make_user, auth, recorder.url(SLACK_PATH))
    next_week = chat.week_start(utcnow()) + timedelta(days=7)
    assert chat.post_weekly_summaries(session, now=next_week) == 0
    session.commit()
    assert chat.post_weekly_summaries(session, now=next_week) == 0  # asked once: the skipped row remembers
    run_jobs()
    assert recorder.received == []
    assert [d.status for d in session.exec(select(OutboundDelivery))] == [DeliveryStatus.SKIPPED]


def test_failing_hook_is_switched_off_and_the_lead_is_told(world, session, database_url, make_user, auth, client,
                                                           recorder, run_jobs):
    lead, team_id = _lead_sets_hook(world, make_user, auth, recorder.url(SLACK_PATH))
    recorder.default = 404  # the channel was deleted
    challenge = world.make_challenge(slug="tool-week", teams=("red",), status=ChallengeStatus.PUBLISHED)
    lifecycle.advance_challenges(session)
    session.commit()
    [job] = outbound_jobs(database_url)
    for _ in range(3):  # OUTBOUND_DISABLE_AFTER=3
        run_job_now(database_url, job.id)
    session.expire_all()
    hook = session.exec(select(ChatHook)).one()
    assert not hook.active and "HTTP 404" in hook.disabled_reason
    run_jobs()  # the lead's notification is a job of its own
    # The lead also hears that the challenge started; the switch-off is told once.
    [notification] = [note for note in session.exec(select(Notification).where(Notification.user_id == lead.id))
                      if "switched off" in note.text]
    assert "Slack messages were switched off" in notification.text and notification.link == f"/teams/{team_id}/chat"
    lifecycle.close(session, challenge)
    session.commit()
    assert len(outbound_jobs(database_url)) == 1  # nothing more is written for a switched-off hook
    assert "Switched off" in client.get(f"/teams/{team_id}/chat").get_data(as_text=True)
    recorder.default = 200
    auth.post(f"/teams/{team_id}/chat", {"url": recorder.url(SLACK_PATH)}, page=f"/teams/{team_id}/chat")
    session.expire_all()
    assert session.exec(select(ChatHook)).one().active


def test_lead_removes_the_hook(world, session, make_user, auth, recorder):
    _, team_id = _lead_sets_hook(world, make_user, auth, recorder.url(SLACK_PATH))
    assert auth.post(f"/teams/{team_id}/chat/remove", page=f"/teams/{team_id}/chat").status_code == 303
    assert session.exec(select(ChatHook)).all() == []
