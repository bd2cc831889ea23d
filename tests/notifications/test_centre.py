"""The notification centre and settings pages: one's own notifications, read one by one or all, each linking to
its place; choices per kind respected."""
from __future__ import annotations

import re

from sqlmodel import select

from webapp.models import Email, Notification
from webapp.play.feed import give_kudos
from webapp.play.missions import complete_mission

from ..conftest import csrf_token
from .conftest import notes


def count_in_nav(client) -> str:
    answer = client.get("/notifications/count", headers={"HX-Request": "true"})
    assert answer.status_code == 200
    found = re.search(r'class="notification-count"[^>]*>(\d+)<', answer.get_data(as_text=True))
    return found.group(1) if found else "0"


def test_centre_lists_marks_read_and_links_to_each_place(session, world, auth, client):
    ada, bea = world.player("ada@example.com"), world.player("bea@example.com")
    session.add_all([
        Notification(user_id=ada.id, kind="kudos", text="Bea gave you <script>kudos</script>", source="a",
                     link=f"/play/challenges/{world.challenge.id}/feed"),
        Notification(user_id=ada.id, kind="badge", text="Badge earned: Reader!", source="b", link="/dashboard"),
        Notification(user_id=bea.id, kind="badge", text="Not yours", source="c"),
    ])
    session.commit()
    theirs = session.exec(select(Notification).where(Notification.user_id == bea.id)).one()
    auth.login("ada@example.com")
    page = client.get("/notifications").get_data(as_text=True)
    assert "Bea gave you &lt;script&gt;kudos&lt;/script&gt;" in page and "<script>kudos" not in page
    assert f'href="/play/challenges/{world.challenge.id}/feed"' in page and "Not yours" not in page
    assert 'hx-trigger="every 30s"' in client.get("/dashboard").get_data(as_text=True)  # in every page's nav
    assert count_in_nav(client) == "2"

    kudos = notes(session, ada, "kudos")[0]
    token = csrf_token(client, "/notifications")
    assert client.post(f"/notifications/{kudos.id}/read", data={"csrf_token": token}).status_code == 303
    assert count_in_nav(client) == "1"
    assert client.post(f"/notifications/{theirs.id}/read", data={"csrf_token": token}).status_code == 404
    assert client.post("/notifications/read-all", data={"csrf_token": token}).status_code == 303
    assert count_in_nav(client) == "0"
    session.expire_all()
    assert session.get(Notification, theirs.id).read_at is None  # someone else's stays unread


def test_a_plain_page_load_shows_the_unread_count_without_javascript(session, world, auth, client):
    ada = world.player("ada@example.com")
    session.add_all([Notification(user_id=ada.id, kind="badge", text=f"Badge {n}", source=f"b{n}") for n in range(3)])
    session.commit()
    auth.login("ada@example.com")
    page = client.get("/dashboard").get_data(as_text=True)  # no HX-Request: what a browser without JS gets
    nav = re.search(r'<li id="notification-nav".*?</li>', page, re.S).group(0)
    assert '<span class="notification-count">3<span class="visually-hidden"> unread notifications</span></span>' in nav
    assert 'hx-trigger="every 30s"' in nav  # htmx keeps it current, with no extra request on load

    token = csrf_token(client, "/notifications")
    first = notes(session, ada)[0]
    client.post(f"/notifications/{first.id}/read", data={"csrf_token": token})
    client.post(f"/notifications/{notes(session, ada)[1].id}/read", data={"csrf_token": token})
    page = client.get("/library").get_data(as_text=True)
    assert "1<span class=\"visually-hidden\"> unread notification</span>" in page
    client.post("/notifications/read-all", data={"csrf_token": token})
    assert "notification-count" not in client.get("/dashboard").get_data(as_text=True)


def test_the_poll_after_the_session_ended_gets_a_plain_link_and_polls_no_more(session, world, auth, client):
    from webapp.auth.sessions import revoke_sessions
    from webapp.errors import REQUEST_FAILED_HEADER

    ada = world.player("ada@example.com")
    session.add(Notification(user_id=ada.id, kind="badge", text="Badge", source="b"))
    session.commit()
    auth.login("ada@example.com")
    assert count_in_nav(client) == "1"
    revoke_sessions(ada)  # signed out elsewhere (or the session expired) while this page stays open
    session.add(ada)
    session.commit()

    answer = client.get("/notifications/count", headers={"HX-Request": "true"})
    fragment = answer.get_data(as_text=True)
    assert answer.status_code == 200 and REQUEST_FAILED_HEADER not in answer.headers  # swapped in place, quietly
    assert re.fullmatch(r'\s*<li id="notification-nav"><a href="/notifications">Notifications</a></li>\s*', fragment)
    assert "hx-get" not in fragment and "hx-trigger" not in fragment  # the replacement polls no more
    plain = client.get("/notifications/count")  # not htmx: off to sign in, as every page
    assert plain.status_code == 302 and "/login" in plain.headers["Location"]


def test_email_per_kind_follows_the_persons_settings(session, world, auth, client, run_jobs):
    mission = world.mission("read")
    ada, bea = world.player("ada@example.com"), world.player("bea@example.com")
    auth.login("ada@example.com")
    page = client.get("/profile/notifications").get_data(as_text=True)
    assert not re.search(r'id="email-kudos"[^>]*checked', page)  # by default kudos wait for the digest
    assert re.search(r'id="email-digest"[^>]*checked', page)
    # Kudos by email on, the weekly digest off (an unticked box is off).
    answer = client.post("/profile/notifications", data={"csrf_token": csrf_token(client, "/profile/notifications"),
                                                         "email-kudos": "on", "digest-kudos": "on"})
    assert answer.status_code == 303
    page = client.get("/profile/notifications").get_data(as_text=True)
    assert re.search(r'id="email-kudos"[^>]*checked', page) and not re.search(r'id="email-digest"[^>]*checked', page)

    first = complete_mission(session, ada, mission.id, "Read it.", None, "ada-1").completion
    session.commit()
    give_kudos(session, bea, "completion", first.id)
    session.commit()
    run_jobs()
    [mail] = session.exec(select(Email).where(Email.kind == "notification")).all()
    assert mail.to == "ada@example.com" and "Bea gave you kudos" in mail.text_body
    assert mail.unsubscribe_url in mail.text_body

    # The link in that message turns kudos email off, without signing in; the app still shows them.
    stranger = client.application.test_client()
    assert stranger.post(mail.unsubscribe_url.split("5000", 1)[1]).status_code == 200
    second = complete_mission(session, bea, mission.id, "Read it too.", None, "bea-1").completion
    session.commit()
    give_kudos(session, ada, "completion", second.id)
    session.commit()
    carl = world.player("carl@example.com")
    give_kudos(session, carl, "completion", first.id)
    session.commit()
    run_jobs()
    assert len(session.exec(select(Email).where(Email.kind == "notification")).all()) == 1
    assert len(notes(session, ada, "kudos")) == 2
