"""A person's profile: name, time zone (chosen, or detected once from the browser), picture, leaderboard name;
times on pages in the viewer's zone."""
from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image
from sqlmodel import select

from webapp.jobs import enqueue
from webapp.models import Avatar, JobStatus, Role, User
from webapp.profiles.avatars import initials
from webapp.profiles.times import format_local
from webapp.play.clock import user_zone

from ..conftest import csrf_token


@pytest.fixture
def ada(make_user, auth):
    user = make_user("ada@example.com", name="Ada Lovelace")
    auth.login("ada@example.com")
    return user


def _reload(session, user):
    session.expire_all()
    return session.get(User, user.id)


def _save(client, **fields):
    data = {"display_name": "Ada Lovelace", "timezone": "UTC", "show_on_leaderboards": "on"}
    data.update(fields)
    data = {key: value for key, value in data.items() if value is not None}
    data["csrf_token"] = csrf_token(client, "/profile")
    return client.post("/profile", data=data, content_type="multipart/form-data")


def _picture(size=(800, 400), color=(200, 30, 30), fmt="PNG") -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    buffer.seek(0)
    return buffer


def test_profile_page_shows_my_settings(client, ada):
    page = client.get("/profile").get_data(as_text=True)
    assert 'value="Ada Lovelace"' in page
    assert '<option value="Europe/Paris"' in page
    assert 'name="show_on_leaderboards" type="checkbox" checked' in page


def test_the_profile_sets_whether_the_library_names_me(client, ada, session):
    assert _reload(session, ada).show_name_in_library is False
    assert _save(client, show_name_in_library="on").status_code == 303
    assert _reload(session, ada).show_name_in_library is True
    assert 'name="show_name_in_library" type="checkbox" checked' in client.get("/profile").get_data(as_text=True)
    assert _save(client).status_code == 303
    assert _reload(session, ada).show_name_in_library is False


def test_saving_the_profile_stores_name_zone_and_leaderboard_choice(client, ada, session):
    response = _save(client, display_name="  Ada   King ", timezone="Europe/Paris", show_on_leaderboards=None)
    assert response.status_code == 303
    user = _reload(session, ada)
    assert (user.display_name, user.timezone, user.timezone_chosen, user.show_on_leaderboards) == (
        "Ada King", "Europe/Paris", True, False)


@pytest.mark.parametrize(("fields", "message"), [
    ({"timezone": "Mars/Olympus"}, "choose a time zone from the list"),
    ({"display_name": "   "}, "Display name is required"),
    ({"display_name": "x" * 121}, "at most 120 characters"),
])
def test_bad_profile_is_refused_beside_the_field_and_changes_nothing(client, ada, session, fields, message):
    response = _save(client, **{"timezone": "Asia/Tokyo", **fields})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    user = _reload(session, ada)
    assert (user.display_name, user.timezone, user.timezone_chosen) == ("Ada Lovelace", "UTC", False)


def test_browser_zone_is_taken_once_on_first_sign_in(client, ada, session):
    assert 'id="timezone-detect"' in client.get("/dashboard").get_data(as_text=True)
    token = csrf_token(client, "/dashboard")
    assert client.post("/profile/timezone", data={"timezone": "America/New_York", "csrf_token": token}).status_code == 204
    assert _reload(session, ada).timezone == "America/New_York"
    assert 'id="timezone-detect"' not in client.get("/dashboard").get_data(as_text=True)
    # Another browser later (a laptop abroad) does not overwrite the zone.
    client.post("/profile/timezone", data={"timezone": "Asia/Tokyo", "csrf_token": token})
    assert _reload(session, ada).timezone == "America/New_York"


def test_a_browser_on_utc_counts_as_a_choice_of_utc(client, ada, session):
    token = csrf_token(client, "/dashboard")
    client.post("/profile/timezone", data={"timezone": "Etc/UTC", "csrf_token": token})
    user = _reload(session, ada)
    assert (user.timezone, user.timezone_chosen) == ("UTC", True)


def test_detection_never_overrides_a_chosen_zone_nor_takes_nonsense(client, ada, session):
    token = csrf_token(client, "/dashboard")
    client.post("/profile/timezone", data={"timezone": "Not/AZone", "csrf_token": token})
    assert (_reload(session, ada).timezone, _reload(session, ada).timezone_chosen) == ("UTC", False)
    _save(client, timezone="Europe/Berlin")
    client.post("/profile/timezone", data={"timezone": "Asia/Tokyo", "csrf_token": token})
    assert _reload(session, ada).timezone == "Europe/Berlin"


def test_initials_stand_in_for_a_picture():
    assert initials("Ada Lovelace") == "AL"
    assert initials("grace") == "G"
    assert initials("Jean-Luc de la Tour") == "JT"
    assert initials("  ") == "?"


def test_uploaded_picture_is_cropped_scaled_and_reencoded(client, ada, session):
    page = client.get("/dashboard").get_data(as_text=True)
    assert '<span class="avatar avatar-initials" aria-hidden="true">AL</span>' in page
    response = _save(client, avatar=(_picture(), "me.png"))
    assert response.status_code == 303
    user = _reload(session, ada)
    assert user.avatar_version == 1
    served = client.get(f"/avatars/{user.id}?v=1")
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(served.data))
    assert (image.format, image.size) == ("JPEG", (256, 256))
    assert not image.getexif()  # nothing of the upload's metadata is passed on
    assert f'src="/avatars/{user.id}?v=1"' in client.get("/dashboard").get_data(as_text=True)


def test_picture_metadata_is_dropped(client, ada, session):
    exif = Image.Exif()
    exif[0x010F] = "Secret Camera Maker"  # Make
    exif[0x8825] = {2: (48.0, 51.0, 24.0)}  # GPS latitude
    buffer = io.BytesIO()
    Image.new("RGB", (300, 300), (0, 90, 200)).save(buffer, "JPEG", exif=exif)
    buffer.seek(0)
    assert _save(client, avatar=(buffer, "holiday.jpg")).status_code == 303
    stored = session.get(Avatar, ada.id).image
    assert b"Secret Camera Maker" not in stored and b"Exif" not in stored


@pytest.mark.parametrize(("upload", "message"), [
    ((b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "me.svg"),
     "not a picture Learnloop can read"),
    ((b"GIF89a" + b"\0" * 10, "broken.gif"), "not a picture Learnloop can read"),
    ((b"\xff" * 1_100_000, "huge.jpg"), "at most 1 MB"),
])
def test_a_file_that_is_not_a_usable_picture_is_refused(client, ada, session, upload, message):
    content, filename = upload
    response = _save(client, display_name="Changed", avatar=(io.BytesIO(content), filename))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    user = _reload(session, ada)
    assert (user.avatar_version, user.display_name) == (0, "Ada Lovelace")
    assert session.get(Avatar, ada.id) is None


def test_removing_the_picture_brings_back_the_initials(client, ada, session):
    _save(client, avatar=(_picture(), "me.png"))
    assert _save(client, remove_avatar="on").status_code == 303
    assert _reload(session, ada).avatar_version == 0
    assert client.get(f"/avatars/{ada.id}").status_code == 404


def test_pictures_are_only_for_signed_in_people(app, client, ada, session):
    _save(client, avatar=(_picture(), "me.png"))
    anonymous = app.test_client().get(f"/avatars/{ada.id}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_times_show_in_the_viewers_zone(client, auth, make_user, session):
    admin = make_user("admin@example.com", Role.ADMIN)
    admin.timezone, admin.timezone_chosen = "Asia/Tokyo", True
    session.add(admin)
    job = enqueue(session, "notifications.send", "k1", user_id=1, text="hi")
    job.created_at = datetime(2026, 12, 2, 16, 30, tzinfo=UTC)
    job.status = JobStatus.FAILED
    session.commit()
    auth.login("admin@example.com")
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "2026-12-03 01:30 JST" in page


def test_local_time_formatting_follows_daylight_saving():
    zone = user_zone(User(email="x@example.com", display_name="x", password_hash="", timezone="Europe/Paris"))
    assert format_local(datetime(2026, 1, 15, 12, 0, tzinfo=UTC), zone) == "2026-01-15 13:00 CET"
    assert format_local(datetime(2026, 7, 15, 12, 0, tzinfo=UTC), zone) == "2026-07-15 14:00 CEST"
    assert format_local(datetime(2026, 7, 15, 23, 30, tzinfo=UTC), zone, with_time=False) == "2026-07-16"
