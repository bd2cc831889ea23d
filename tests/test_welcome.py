"""A first visit is greeted as one, "Welcome back" only greets people who came before; the first-run welcome
explains the game for the person's role until they close it."""
from __future__ import annotations

import pytest

from webapp.demo import DEMO_PASSWORD, load_demo
from webapp.models import User

from .conftest import csrf_token


def sign_in(client, email):
    client._cookies.clear()
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD,
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code in (302, 303)
    return client.get("/dashboard").get_data(as_text=True)


def test_first_visit_is_greeted_as_first_then_welcome_back(client, session):
    load_demo(session)
    first = sign_in(client, "employee@example.com")
    assert "Welcome to Learnloop, Emma Employee." in first and "Welcome back" not in first
    again = sign_in(client, "employee@example.com")
    assert "Welcome back, Emma Employee." in again


@pytest.mark.parametrize(("email", "shown", "hidden"), [
    ("employee@example.com", ["Points", "Streaks", "Reflections", "unless you share it"], ["Summaries", "Programme"]),
    ("lead@example.com", ["Summaries", "publish it to the library"], ["Start a challenge"]),
    ("admin@example.com", ["Summaries", "Start a challenge from a template"], []),
])
def test_the_welcome_explains_the_game_for_each_role_until_closed(client, session, email, shown, hidden):
    load_demo(session)
    page = sign_in(client, email)
    welcome = page.split('class="welcome"', 1)[1].split("</section>", 1)[0]
    assert all(text in welcome for text in shown) and not any(text in welcome for text in hidden)
    response = client.post("/welcome/seen", data={"csrf_token": csrf_token(client, "/dashboard")})
    assert response.status_code == 303
    assert 'class="welcome"' not in client.get("/dashboard").get_data(as_text=True)
    session.expire_all()
    assert session.query(User).filter(User.email == email).one().welcomed_at is not None


def test_closing_the_welcome_needs_the_csrf_token(client, session):
    load_demo(session)
    sign_in(client, "employee@example.com")
    assert client.post("/welcome/seen", data={}).status_code == 400
    assert 'class="welcome"' in client.get("/dashboard").get_data(as_text=True)
