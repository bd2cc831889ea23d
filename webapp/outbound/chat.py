"""Team messages in Slack or Microsoft Teams: the hook's address (kept encrypted), message texts and their formats.

The address of an incoming webhook is itself the credential (anyone holding it can post to the channel), so it
is stored encrypted with Fernet and never shown again; the page shows only the service and its host.
"""
from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import func
from sqlmodel import Session, col, select

from ..jobs import NOTIFY, enqueue, every_minute
from ..models import (
    BadgeAward, ChatHook, Completion, CompletionStatus, DeliveryStatus, Membership, OutboundDelivery, PointEvent,
    Team, User, utcnow,
)
from ..settings import Settings

SLACK_HOSTS = ("hooks.slack.com",)
# Office 365 connectors (MessageCard era) and Power Automate / Workflows (Adaptive Cards) addresses.
TEAMS_HOST_SUFFIXES = (".webhook.office.com", "outlook.office.com", ".logic.azure.com", ".powerplatform.com")
URL_MAX = 2000
WEEKLY_SUMMARY = "team.weekly_summary"


class ChatHookRefused(ValueError):
    """The address cannot be a team's chat hook; `message` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _fernet(settings: Settings) -> Fernet:
    if settings.outbound_encryption_key is not None:
        return Fernet(settings.outbound_encryption_key.get_secret_value().encode())
    derived = hashlib.sha256(b"learnloop-chat-hooks:" + settings.secret_key_value().encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt_url(settings: Settings, url: str) -> str:
    return _fernet(settings).encrypt(url.encode()).decode()


def decrypt_url(settings: Settings, token: str) -> str:
    """Raises InvalidToken when the key changed since the address was saved."""
    return _fernet(settings).decrypt(token.encode()).decode()


def service_of(settings: Settings, url: str) -> tuple[str, str]:
    """("slack" or "teams", host) for an address a team may post to. Raises ChatHookRefused."""
    url = (url or "").strip()
    if not url:
        raise ChatHookRefused("Paste the incoming webhook address from Slack or Microsoft Teams.")
    if len(url) > URL_MAX:
        raise ChatHookRefused(f"That address is longer than {URL_MAX} characters.")
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host in SLACK_HOSTS or host.endswith(TEAMS_HOST_SUFFIXES) or host in TEAMS_HOST_SUFFIXES:
        if parts.scheme != "https":
            raise ChatHookRefused("The address must start with https://.")
        return ("slack" if host in SLACK_HOSTS else "teams"), host
    if settings.outbound_allow_local_chat_urls and parts.scheme in ("http", "https") and host:
        # Test servers: Slack's incoming webhooks live under /services/, anything else is taken for Teams.
        return ("slack" if parts.path.startswith("/services/") else "teams"), host
    raise ChatHookRefused("Use an incoming webhook address from Slack (https://hooks.slack.com/…) or Microsoft "
                          "Teams (https://….webhook.office.com/… or a Workflows address).")


def save_hook(session: Session, settings: Settings, team: Team, user: User, url: str) -> ChatHook:
    """Set (or replace) the team's hook; a replaced hook starts afresh, switched on. Raises ChatHookRefused."""
    kind, host = service_of(settings, url)
    hook = session.exec(select(ChatHook).where(ChatHook.team_id == team.id)).first() or ChatHook(team_id=team.id)
    hook.url_encrypted = encrypt_url(settings, url.strip())
    hook.kind, hook.host = kind, host
    hook.active, hook.consecutive_failures, hook.disabled_reason = True, 0, None
    hook.updated_by_id, hook.updated_at = user.id, utcnow()
    session.add(hook)
    return hook


def remove_hook(session: Session, team: Team) -> bool:
    hook = session.exec(select(ChatHook).where(ChatHook.team_id == team.id)).first()
    if hook is None:
        return False
    session.delete(hook)
    return True


def switch_off(session: Session, hook: ChatHook, reason: str) -> None:
    """Stop posting to a hook that keeps failing, and tell the team's leads in the app (once per switch-off)."""
    hook.active = False
    hook.disabled_reason = reason[:300]
    session.add(hook)
    leads = session.exec(select(Membership.user_id).where(Membership.team_id == hook.team_id,
                                                          Membership.is_lead == True)).all()  # noqa: E712
    stamp = int(hook.updated_at.timestamp()) if hook.updated_at else 0
    for user_id in leads:
        enqueue(session, NOTIFY, f"chat-off:{hook.id}:{stamp}:{user_id}", user_id=user_id,
                text=f"Your team's {service_name(hook.kind)} messages were switched off after {reason[:200]}. "
                     "Set the webhook address again to switch them back on.",
                link=f"/teams/{hook.team_id}/chat")


def service_name(kind: str) -> str:
    return "Slack" if kind == "slack" else "Microsoft Teams"


# Messages: a neutral {title, text, link} written with the event; formatted for the service when sent.

def team_badge_message(badge_name: str, challenge_title: str, base_url: str) -> dict:
    return {"title": f"Team badge earned: {badge_name}",
            "text": f"The team earned the badge “{badge_name}” in {challenge_title}.", "link": f"{base_url}/"}


def lesson_message(challenge_title: str, count: int, link: str) -> dict:
    lessons = "1 lesson" if count == 1 else f"{count} lessons"
    return {"title": "Lessons published", "text": f"The team published {lessons} from {challenge_title}.",
            "link": link}


def challenge_message(title: str, started: bool, link: str) -> dict:
    if started:
        return {"title": f"Challenge started: {title}", "text": f"“{title}” has started. Time to play!", "link": link}
    return {"title": f"Challenge ended: {title}", "text": f"“{title}” has ended. Thanks for playing!", "link": link}


def _slack_escape(text: str) -> str:
    # Slack's mrkdwn treats &, < and > as control characters (links, mentions).
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_body(message: dict) -> dict:
    title, text, link = (_slack_escape(message[k]) for k in ("title", "text", "link"))
    return {"text": f"{title}: {text}",
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": f"*{title}*\n{text}"}},
                       {"type": "context", "elements": [{"type": "mrkdwn", "text": f"<{link}|Open in Learnloop>"}]}]}


def teams_body(message: dict) -> dict:
    """An Adaptive Card in the message envelope that both Workflows and (newer) Office connectors accept."""
    card = {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard",
            "version": "1.4",
            "body": [{"type": "TextBlock", "text": message["title"], "weight": "Bolder", "size": "Medium",
                      "wrap": True},
                     {"type": "TextBlock", "text": message["text"], "wrap": True}],
            "actions": [{"type": "Action.OpenUrl", "title": "Open in Learnloop", "url": message["link"]}]}
    return {"type": "message", "summary": message["title"],
            "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None,
                             "content": card}]}


def body_for(kind: str, message: dict) -> dict:
    return slack_body(message) if kind == "slack" else teams_body(message)


# The weekly summary line: a minute-tick step that posts last week's line once per team and ISO week.

def week_start(now: datetime) -> datetime:
    day = now.date() - timedelta(days=now.weekday())
    return datetime(day.year, day.month, day.day, tzinfo=now.tzinfo)


@every_minute
def post_weekly_summaries(session: Session, now: datetime | None = None) -> int:
    """Write each active hook's summary of the week that ended last Monday 00:00 UTC; returns how many were sent.
    A team with nothing to tell gets a skipped row, so the question is asked once per week."""
    from . import deliveries
    from .config import base_url, current_settings

    now = now or utcnow()
    end = week_start(now)
    start = end - timedelta(days=7)
    year, week, _ = start.isocalendar()
    hooks = session.exec(select(ChatHook.id, ChatHook.team_id).where(ChatHook.active == True)).all()  # noqa: E712
    if not hooks:
        return 0
    keys = {f"chat{hook_id}:week:{year}-W{week:02d}": (hook_id, team_id) for hook_id, team_id in hooks}
    done = set(session.exec(select(OutboundDelivery.key).where(col(OutboundDelivery.key).in_(list(keys)))).all())
    sent = 0
    link = f"{base_url(current_settings())}/"
    for key, (hook_id, team_id) in keys.items():
        if key in done:
            continue
        line = weekly_line(session, team_id, start, end)
        message = {"title": f"Week {week} in review", "text": line or "", "link": link}
        delivery = deliveries.write(session, "chat", WEEKLY_SUMMARY, key, message, chat_hook_id=hook_id,
                                    send=line is not None)
        if line is None and delivery is not None:
            delivery.status = DeliveryStatus.SKIPPED
        sent += line is not None
    return sent


def weekly_line(session: Session, team_id: int, start: datetime, end: datetime) -> str | None:
    """"12 missions completed, 340 points, 2 badges earned." for the team's week; None when nothing happened."""
    completions = session.exec(select(func.count()).select_from(Completion).where(
        Completion.team_id == team_id, Completion.status == CompletionStatus.APPROVED,
        Completion.created_at >= start, Completion.created_at < end)).one()
    points = session.exec(select(func.coalesce(func.sum(PointEvent.amount), 0)).where(
        PointEvent.team_id == team_id, PointEvent.created_at >= start, PointEvent.created_at < end)).one()
    badges = session.exec(select(func.count()).select_from(BadgeAward).where(
        BadgeAward.team_id == team_id, BadgeAward.awarded_at >= start, BadgeAward.awarded_at < end)).one()
    if not (completions or points or badges):
        return None
    missions = "1 mission" if completions == 1 else f"{completions} missions"
    badge_text = "1 badge" if badges == 1 else f"{badges} badges"
    return f"Last week the team completed {missions}, earned {points} points and {badge_text}."


__all__ = ["ChatHookRefused", "InvalidToken", "body_for", "decrypt_url", "post_weekly_summaries", "save_hook",
           "service_of", "switch_off"]
