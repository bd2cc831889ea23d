"""The weekly digest: at the person's local hour, once per person and week (across a daylight-saving change),
through a real SMTP server; nothing to someone with nothing new; one-click unsubscribe without signing in."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlmodel import select

from webapp.models import DigestSent, PointReason
from webapp.notifications.digest import send_digests
from webapp.play.ledger import record_points

# Europe/Paris moves from UTC+1 to UTC+2 on Sunday 28 March 2027. Digest: Mondays at 08:00 local (the defaults).
WEEK_BEFORE = datetime(2027, 3, 19, 12, tzinfo=UTC)
WEEK_AFTER = datetime(2027, 3, 26, 12, tzinfo=UTC)


def hours(start: datetime, end: datetime, step=timedelta(minutes=30)):
    moment = start
    while moment < end:
        yield moment
        moment += step


def earn(session, world, user, amount: int, when: datetime, source_id: int) -> None:
    record_points(session, user_id=user.id, team_id=world.team("red").id, challenge_id=world.challenge.id,
                  amount=amount, reason=PointReason.ADJUSTMENT, source_type="test", source_id=source_id,
                  created_at=when)
    session.commit()


def drive_ticks(session, start: datetime, end: datetime) -> list[datetime]:
    """Run the digest step every half hour from `start` to `end` (the scheduler is hourly; twice an hour shows that
    a second run in the same hour sends nothing); the moments at which it queued mail."""
    sent_at = []
    for now in hours(start, end):
        if send_digests(session, now):
            sent_at.append(now)
    return sent_at


def test_digest_goes_once_a_week_at_the_local_hour_across_daylight_saving(session, world, smtp_server, run_jobs):
    paris = world.player("ada@example.com")
    paris.timezone = "Europe/Paris"
    quiet = world.player("bea@example.com")
    quiet.timezone = "Europe/Paris"  # same zone, nothing new: no message
    session.add_all([paris, quiet])
    session.commit()
    earn(session, world, paris, 30, WEEK_BEFORE, 1)
    earn(session, world, paris, 12, WEEK_AFTER, 2)

    sent_at = drive_ticks(session, datetime(2027, 3, 20, tzinfo=UTC), datetime(2027, 3, 31, tzinfo=UTC))
    # 08:00 in Paris is 07:00 UTC before the change and 06:00 UTC after it.
    assert sent_at == [datetime(2027, 3, 22, 7, tzinfo=UTC), datetime(2027, 3, 29, 6, tzinfo=UTC)]
    run_jobs()
    messages = sorted(smtp_server.messages(), key=lambda message: message["Subject"])
    assert [message["To"] for message in messages] == ["ada@example.com", "ada@example.com"]
    assert [message["Subject"] for message in messages] == ["Your week on Learnloop (2027-W12)",
                                                            "Your week on Learnloop (2027-W13)"]
    first, second = (message.get_body(("plain",)).get_content() for message in messages)
    assert "You earned 30 points this week." in first and "You earned 12 points this week." in second
    assert "Red is number 1 of 1 teams this week in “Learn Week”." in second
    for message in messages:
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["List-Unsubscribe"].strip().startswith("<http://127.0.0.1:5000/unsubscribe/")
    weeks = session.exec(select(DigestSent.user_id, DigestSent.week, DigestSent.email_id)
                         .order_by(DigestSent.user_id, DigestSent.week)).all()
    assert [(user_id, week, email_id is not None) for user_id, week, email_id in weeks] == [
        (paris.id, "2027-W12", True), (paris.id, "2027-W13", True),
        (quiet.id, "2027-W12", False), (quiet.id, "2027-W13", False)]

    assert drive_ticks(session, datetime(2027, 3, 22, tzinfo=UTC), datetime(2027, 3, 30, tzinfo=UTC)) == []
    run_jobs()
    assert len(smtp_server.messages()) == 2  # the same weeks again: nothing more


def test_each_zone_gets_its_own_hour(session, world):
    tokyo, new_york = world.player("ada@example.com"), world.player("bea@example.com")
    tokyo.timezone, new_york.timezone = "Asia/Tokyo", "America/New_York"
    session.add_all([tokyo, new_york])
    session.commit()
    earn(session, world, tokyo, 5, WEEK_AFTER, 1)
    earn(session, world, new_york, 5, WEEK_AFTER, 2)
    # Monday 29 March 08:00 in Tokyo is Sunday 23:00 UTC; in New York (already on summer time) 12:00 UTC.
    assert drive_ticks(session, datetime(2027, 3, 28, tzinfo=UTC), datetime(2027, 3, 30, tzinfo=UTC)) == [
        datetime(2027, 3, 28, 23, tzinfo=UTC), datetime(2027, 3, 29, 12, tzinfo=UTC)]


def test_one_click_unsubscribe_works_without_signing_in_and_stops_the_digest(
        session, world, smtp_server, run_jobs, app):
    ada = world.player("ada@example.com")
    earn(session, world, ada, 30, WEEK_BEFORE, 1)
    earn(session, world, ada, 30, WEEK_AFTER, 2)
    assert drive_ticks(session, datetime(2027, 3, 22, tzinfo=UTC), datetime(2027, 3, 23, tzinfo=UTC))
    run_jobs()
    [message] = smtp_server.messages()
    path = urlsplit(message["List-Unsubscribe"].strip().strip("<>")).path
    assert path in message.get_body(("plain",)).get_content() or path in message.get_body(("html",)).get_content()

    stranger = app.test_client()  # no session, no CSRF token: what a mail client sends (RFC 8058)
    page = stranger.get(path)
    assert page.status_code == 200 and "Stop the emails for “Weekly digest”?" in page.get_data(as_text=True)
    assert stranger.get(path).status_code == 200  # looking (a mail scanner) changes nothing
    answer = stranger.post(path, data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200 and "no more emails for “Weekly digest”" in answer.get_data(as_text=True)

    assert drive_ticks(session, datetime(2027, 3, 29, tzinfo=UTC), datetime(2027, 3, 30, tzinfo=UTC)) == []
    run_jobs()
    assert len(smtp_server.messages()) == 1


def test_a_forged_unsubscribe_link_changes_nothing(session, world, app):
    from webapp.models import NotificationPreference
    from webapp.notifications.preferences import unsubscribe_token

    ada = world.player("ada@example.com")
    forged = unsubscribe_token("not-the-secret", ada.id, "digest")
    answer = app.test_client().post(f"/unsubscribe/{forged}")
    assert answer.status_code == 400 and "not valid" in answer.get_data(as_text=True)
    assert session.exec(select(NotificationPreference)).all() == []


def test_the_digest_lists_only_the_kinds_the_person_keeps_in_it(session, world):
    from webapp.models import Notification
    from webapp.notifications.digest import build_digests
    from webapp.notifications.preferences import choose

    ada = world.player("ada@example.com")
    moment = datetime(2027, 3, 24, 12, tzinfo=UTC)
    session.add_all([
        Notification(user_id=ada.id, kind="badge", text="Badge earned: Reader!", source="b", created_at=moment),
        Notification(user_id=ada.id, kind="kudos", text="Bea gave you kudos.", source="k", created_at=moment),
        Notification(user_id=ada.id, kind="badge", text="Too old", source="o", created_at=moment - timedelta(days=9)),
    ])
    session.commit()
    monday = datetime(2027, 3, 29, 6, tzinfo=UTC)
    [digest] = build_digests(session, [ada.id], "2027-W13", monday)
    assert [item["text"] for item in digest.items] == ["Badge earned: Reader!", "Bea gave you kudos."]
    choose(session, ada.id, "kudos", digest=False)
    session.commit()
    [digest] = build_digests(session, [ada.id], "2027-W13", monday)
    assert [item["text"] for item in digest.items] == ["Badge earned: Reader!"]
    choose(session, ada.id, "badge", digest=False)
    session.commit()
    [digest] = build_digests(session, [ada.id], "2027-W13", monday)
    assert not digest.has_news  # nothing left to say: no message would go
