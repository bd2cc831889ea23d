"""A small world for route-by-route security checks: two teams, one running challenge that only team A
plays, and one of every object a route can point at."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session

from webapp.api.tokens import create_token
from webapp.auth.accounts import create_user
from webapp.credentials.issuing import Issuer, claim_badge
from webapp.jobs import enqueue
from webapp.models import Avatar, GroupMapping, OutboundDelivery, WebhookEndpoint
from webapp.models import (
    Badge, BadgeAward, BadgeRule, Challenge, ChallengeStatus, ChallengeTeam, Completion, CompletionStatus, Email,
    Enrolment, Invitation, JobStatus, Lesson, Notification, PeopleImport,
    LessonSummary, LessonSummaryVersion, Membership, Mission, MissionApproval, MissionKind, PromptStatus, Reflection,
    ReflectionPrompt, Role, Skill, SummaryStatus, Team, Visibility, utcnow,
)

PASSWORD = "correct horse battery"
ROLES = ("anonymous", "employee", "other_lead", "lead", "admin")
EMAILS = {"employee": "emp@a.example", "other_lead": "lead@b.example", "lead": "lead@a.example",
          "admin": "admin@corp.example"}


@dataclass
class World:
    ids: dict


def build_world(session: Session) -> World:
    now = utcnow()
    team_a, team_b = Team(name="Team A", slug="team-a"), Team(name="Team B", slug="team-b")
    session.add_all([team_a, team_b])
    session.flush()
    users = {}
    for role, email in EMAILS.items():
        users[role] = create_user(session, email, PASSWORD, role.replace("_", " ").title(),
                                  {"employee": Role.EMPLOYEE, "admin": Role.ADMIN}.get(role, Role.LEAD))
    session.flush()
    session.add_all([
        Membership(user_id=users["employee"].id, team_id=team_a.id),
        Membership(user_id=users["lead"].id, team_id=team_a.id, is_lead=True),
        Membership(user_id=users["other_lead"].id, team_id=team_b.id, is_lead=True),
    ])
    challenge = Challenge(slug="only-a", title="Only team A", starts_at=now - timedelta(days=2),
                          ends_at=now + timedelta(days=5), status=ChallengeStatus.RUNNING)
    session.add(challenge)
    session.flush()
    session.add(ChallengeTeam(challenge_id=challenge.id, team_id=team_a.id))
    mission = Mission(challenge_id=challenge.id, slug="learn", title="Learn", kind=MissionKind.LEARN, points=10,
                      max_completions=None)
    badge = Badge(challenge_id=challenge.id, slug="first", name="First", rule=BadgeRule.MISSIONS_COMPLETED,
                  params={"threshold": 1})
    skill = Skill(challenge_id=challenge.id, name="Debugging")
    session.add_all([mission, badge, skill])
    session.flush()
    for role in ("employee", "lead"):
        session.add(Enrolment(challenge_id=challenge.id, user_id=users[role].id, team_id=team_a.id))
    completion = Completion(idempotency_key="world-1", mission_id=mission.id, challenge_id=challenge.id,
                            user_id=users["employee"].id, team_id=team_a.id, evidence_text="Read the postmortem.",
                            points_awarded=10)
    session.add(completion)
    approval_mission = Mission(challenge_id=challenge.id, slug="pair", title="Pair", kind=MissionKind.HELP, points=20,
                               approval=MissionApproval.LEAD)
    session.add(approval_mission)
    session.flush()
    pending = Completion(idempotency_key="world-pending", mission_id=approval_mission.id, challenge_id=challenge.id,
                         user_id=users["employee"].id, team_id=team_a.id, evidence_text="Paired on a bug.",
                         status=CompletionStatus.PENDING)
    session.add(pending)
    session.flush()
    prompt = ReflectionPrompt(work_key=f"completion:{completion.id}", user_id=users["employee"].id,
                              challenge_id=challenge.id, completion_id=completion.id, status=PromptStatus.READY,
                              text="What happened?")
    session.add(prompt)
    session.flush()
    reflection = Reflection(user_id=users["employee"].id, challenge_id=challenge.id, team_id=team_a.id,
                            body="We learned to write smaller changes.", visibility=Visibility.TEAM)
    session.add(reflection)
    session.flush()
    content = {"key_lessons": [{"text": "Small changes are safer.", "citations": [reflection.id]}], "practices": [],
               "mistakes": [], "open_questions": [], "next_experiments": []}
    draft = LessonSummary(work_key="world-draft", team_id=team_a.id, challenge_id=challenge.id, trigger="on_demand",
                          status=SummaryStatus.DRAFT, current_version=1)
    published = LessonSummary(work_key="world-published", team_id=team_a.id, challenge_id=challenge.id,
                              trigger="on_demand", status=SummaryStatus.PUBLISHED, current_version=1,
                              published_at=now)
    session.add_all([draft, published])
    session.flush()
    versions = [LessonSummaryVersion(summary_id=summary.id, number=1, content=content, writer="offline")
                for summary in (draft, published)]
    session.add_all(versions)
    session.flush()
    session.add(Lesson(summary_id=published.id, version_id=versions[1].id, team_id=team_a.id,
                       challenge_id=challenge.id, section="key_lessons", text="Small changes are safer.",
                       citations=[reflection.id]))
    session.add(Avatar(user_id=users["employee"].id, image=b"\xff\xd8\xff", content_type="image/jpeg"))
    mapping = GroupMapping(idp_group="team-a", team_id=team_a.id)
    session.add(mapping)
    award = BadgeAward(badge_id=badge.id, challenge_id=challenge.id, subject=f"user:{users['employee'].id}",
                       user_id=users["employee"].id)
    session.add(award)
    session.flush()
    credential = claim_badge(session, users["employee"], award.id, Issuer(base_url="http://localhost", name="Corp"),
                             "test-secret")
    job = enqueue(session, "notifications.send", "world-job", user_id=users["employee"].id, text="hi")
    job.status = JobStatus.FAILED
    invited = create_user(session, "invited@a.example", None, "Invited", Role.EMPLOYEE)
    session.flush()
    invitation = Invitation(user_id=invited.id, invited_by_id=users["admin"].id, nonce="world",
                            expires_at=now + timedelta(days=7))
    people_import = PeopleImport(created_by_id=users["admin"].id, file_name="people.csv",
                                 csv_text="email,name,team\n", base_url="http://localhost/")
    email = Email(to="invited@a.example", subject="You are invited", kind="invitation", text_body="Hello",
                  html_body="<p>Hello</p>", message_id="<world@learnloop>", sent_at=now, file_name="world.eml")
    session.add_all([invitation, people_import, email])
    personal_token = create_token(session, users["employee"], "world", "read", 30, 365).token
    service_token = create_token(session, users["admin"], "world service", "read", 30, 365, service=True).token
    endpoint = WebhookEndpoint(url="https://hooks.example.com/learnloop", events=["badge.awarded"], secret="whsec_x")
    session.add(endpoint)
    session.flush()
    delivery = OutboundDelivery(key="world-delivery", channel="webhook", event="badge.awarded",
                                endpoint_id=endpoint.id, payload={"type": "badge.awarded"})
    session.add(delivery)
    notification = Notification(user_id=users["employee"].id, kind="kudos", text="Kudos", source="world")
    session.add(notification)
    # The written copy of the message, where the app looks for it (tests point MAIL_FILE_DIR at a temporary folder).
    mail_dir = Path(os.environ["MAIL_FILE_DIR"])
    mail_dir.mkdir(parents=True, exist_ok=True)
    (mail_dir / "world.eml").write_bytes(b"To: invited@a.example\r\nSubject: You are invited\r\n\r\nHello\r\n")
    session.commit()
    return World(ids={
        "challenge_id": challenge.id, "mission_id": mission.id, "badge_id": badge.id, "team_id": team_a.id,
        "user_id": users["employee"].id, "job_id": job.id, "prompt_id": prompt.id, "summary_id": draft.id,
        "published_id": published.id, "item_id": completion.id, "number": 1, "mapping_id": mapping.id,
        "invitation_id": invitation.id, "import_id": people_import.id, "email_id": email.id,
        "award_id": award.id, "public_id": credential.public_id, "list_number": 0,
        "completion_id": pending.id, "token_id": personal_token.id, "service_token_id": service_token.id,
        "endpoint_id": endpoint.id, "delivery_id": delivery.id,
        "notification_id": notification.id,
    })
