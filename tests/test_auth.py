from webapp.models import Role

from .conftest import PASSWORD, csrf_token


def test_sign_in_lands_on_dashboard(client, auth, make_user):
    make_user("ada@example.com", name="Ada")
    response = auth.login("ada@example.com")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/dashboard")
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert "Hello, Ada" in page.get_data(as_text=True)


def test_email_is_case_insensitive(client, auth, make_user):
    make_user("ada@example.com")
    assert auth.login("  ADA@Example.com ").status_code == 303


def test_wrong_password_gives_clear_message_and_no_session(client, auth, make_user):
    make_user("ada@example.com")
    response = auth.login("ada@example.com", "wrong password")
    assert response.status_code == 422
    assert "Email or password is incorrect." in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302  # still signed out


def test_unknown_email_gets_the_same_message(auth):
    response = auth.login("nobody@example.com", PASSWORD)
    assert response.status_code == 422
    assert "Email or password is incorrect." in response.get_data(as_text=True)


def test_inactive_user_cannot_sign_in(auth, make_user, session):
    user = make_user("gone@example.com")
    user.is_active = False
    session.add(user)
    session.commit()
    assert auth.login("gone@example.com").status_code == 422


def test_sign_out_ends_the_session(client, auth, make_user):
    make_user("ada@example.com")
    auth.login("ada@example.com")
    response = auth.logout()
    assert response.status_code == 303
    assert client.get("/dashboard").status_code == 302


def test_sign_out_needs_post(client, auth, make_user):
    make_user("ada@example.com")
    auth.login("ada@example.com")
    assert client.get("/logout").status_code == 405
    assert client.get("/dashboard").status_code == 200


def test_dashboard_requires_sign_in(client):
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert "/login?next=%2Fdashboard" in response.headers["Location"]


def test_next_parameter_only_allows_local_paths(client, make_user):
    make_user("ada@example.com")
    for target, expected in [("/admin/jobs", "/admin/jobs"), ("//evil.example", "/dashboard"),
                             ("https://evil.example/", "/dashboard"), ("/\\evil.example", "/dashboard")]:
        token = csrf_token(client)
        response = client.post(f"/login?next={target}", data={
            "email": "ada@example.com", "password": PASSWORD, "csrf_token": token})
        assert response.headers["Location"] == expected
        client.post("/logout", data={"csrf_token": csrf_token(client, "/dashboard")})


def test_password_is_stored_hashed_with_argon2(make_user):
    user = make_user("ada@example.com")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_role_checks(client, auth, make_user):
    make_user("emp@example.com", Role.EMPLOYEE)
    make_user("lead@example.com", Role.LEAD)
    make_user("admin@example.com", Role.ADMIN)
    for email, expected in [("emp@example.com", 403), ("lead@example.com", 403), ("admin@example.com", 200)]:
        auth.login(email)
        assert client.get("/admin/jobs").status_code == expected, email
        auth.logout()
    assert client.get("/admin/jobs").status_code == 302  # anonymous: sent to sign in


def test_admin_sees_admin_navigation_and_employee_does_not(client, auth, make_user):
    make_user("emp@example.com", Role.EMPLOYEE)
    make_user("admin@example.com", Role.ADMIN)
    auth.login("emp@example.com")
    assert 'href="/admin/jobs"' not in client.get("/dashboard").get_data(as_text=True)
    auth.logout()
    auth.login("admin@example.com")
    assert 'href="/admin/jobs"' in client.get("/dashboard").get_data(as_text=True)


def test_repeated_failed_sign_ins_are_throttled(client, auth, make_user):
    make_user("ada@example.com")
    for _ in range(10):
        assert auth.login("ada@example.com", "guess").status_code == 422
    throttled = auth.login("ada@example.com", PASSWORD)  # even the right password waits now
    assert throttled.status_code == 429
    assert "Please wait a moment" in throttled.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_successful_sign_ins_are_not_counted(client, auth, make_user):
    make_user("ada@example.com")
    for _ in range(12):
        assert auth.login("ada@example.com").status_code == 303
        auth.logout()


def test_throttle_is_per_account(client, auth, make_user):
    make_user("ada@example.com")
    make_user("bob@example.com")
    for _ in range(10):
        auth.login("ada@example.com", "guess")
    assert auth.login("bob@example.com").status_code == 303


def test_security_headers(client):
    response = client.get("/login")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_is_httponly_and_samesite(client, auth, make_user):
    make_user("ada@example.com")
    response = auth.login("ada@example.com")
    session_cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert session_cookies, "sign-in sets the session cookie"
    assert "HttpOnly" in session_cookies[0] and "SameSite=Lax" in session_cookies[0]


def test_private_pages_and_exports_are_never_stored_by_caches(client, auth, make_user):
    make_user("admin@example.com", Role.ADMIN)
    auth.login("admin@example.com")
    for path in ("/dashboard", "/library", "/admin/users", "/monitoring/", "/monitoring/export/funnel.csv", "/login"):
        response = client.get(path)
        assert response.status_code in (200, 302), path
        assert response.headers["Cache-Control"] == "no-store", path


def test_static_files_may_be_cached(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
