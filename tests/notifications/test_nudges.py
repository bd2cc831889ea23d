"""Nudges, each at most once per event: a streak about to end in the person's evening, a challenge starting or
ending soon; each also by email unless the person turned that kind off."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from webapp.models import ChallengeStatus, Email, MissionKind
from webapp.notifications.nudges import send_nudges
from webapp.notifications.preferences import choose
from webapp.play.missions import complete_mission

from .conftest import notes


def test_streak_at_risk_nudges_in_the_persons_evening_once(session, world, run_jobs):
    mission, another = world.mission("read"), world.mission("share", kind=MissionKind.SHARE)
    tokyo, done_today, turned_off = (world.player(f"{name}@example.com") for name in ("ada", "bea", "cem"))
    for user in (tokyo, done_today, turned_off):
        user.timezone = "Asia/Tokyo"
        session.add(user)
    session.commit()
    choose(session, turned_off.id, "streak", email=False)
    session.commit()
    # Tokyo is UTC+9, no daylight saving: 19:00 there on 10 March 2027 is 10:00 UTC.
    evening = datetime(2027, 3, 10, 10, tzinfo=UTC)
    yesterday = evening - timedelta(days=1)
    for user, done, moment in [(tokyo, mission, yesterday), (done_today, mission, yesterday),
                               (turned_off, mission, yesterday), (done_today, another, evening - timedelta(hours=2))]:
        complete_mission(session, user, done.id, "Read.", None, f"{user.id}-{done.id}", now=moment)
        session.commit()

    for now in (evening - timedelta(hours=1), evening, evening + timedelta(minutes=30), evening + timedelta(hours=1)):
        send_nudges(session, now)
        session.commit()
        run_jobs()
    run_jobs()
    assert [note.text for note in notes(session, tokyo, "streak")] == [
        "Your streak ends tonight: complete a mission today to keep it going."]
    assert [note.text for note in notes(session, turned_off, "streak")] == [
        "Your streak ends tonight: complete a mission today to keep it going."]  # in the app: always
    assert notes(session, done_today, "streak") == []
    mail = session.exec(select(Email).where(Email.kind == "notification")).all()
    assert [email.to for email in mail] == ["ada@example.com"]  # cem turned streak emails off
    assert mail[0].unsubscribe_url and "/unsubscribe/" in mail[0].unsubscribe_url


def test_challenge_starting_and_ending_soon_nudge_once(session, world, run_jobs):
    from webapp.models import utcnow

    now = utcnow()
    ada = world.player("ada@example.com")
    carl = world.player("carl@example.com", team="blue", enrol=False)
    world.challenge.ends_at = now + timedelta(hours=5)
    session.add(world.challenge)
    upcoming = world.make_challenge("tool-week", teams=("blue",), status=ChallengeStatus.PUBLISHED)
    upcoming.starts_at = now + timedelta(hours=10)
    session.add(upcoming)
    session.commit()
    world.mission("try", kind=MissionKind.EXPERIMENT, challenge=upcoming)
    for _ in range(2):
        send_nudges(session, now)
        session.commit()
        run_jobs()
    assert [note.text for note in notes(session, carl, "challenge_starting")] == [
        "“Tool Week” starts soon: get ready to join in."]
    assert [note.text for note in notes(session, ada, "challenge_ending")] == [
        "“Learn Week” ends soon: there is still time for a mission and a reflection."]
    assert notes(session, ada, "challenge_starting") == []  # not in a team of the upcoming challenge
    subjects = sorted(email.to for email in session.exec(select(Email).where(Email.kind == "notification")))
    assert subjects == ["ada@example.com", "carl@example.com"]
