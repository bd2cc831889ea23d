"""The sign-in throttle counts every attempt before the password is checked: parallel guesses, password
spraying across accounts and odd input all use up the allowance."""
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from webapp.auth.throttle import ACCOUNT_LIMIT, ADDRESS_LIMIT

from .conftest import PASSWORD
from .support import served

CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf-token" content="([^"]+)"')


def browser(base: str) -> tuple[requests.Session, str]:
    """A fresh browser that has opened the sign-in page: its cookies and CSRF token."""
    http = requests.Session()
    match = CSRF_FIELD.search(http.get(f"{base}/login", timeout=30).text)
    return http, match.group(1) or match.group(2)


def parallel_sign_ins(base: str, attempts: list[tuple[str, str]]) -> list[int]:
    """Send every (email, password) attempt at the same moment, each from its own browser; their statuses."""
    browsers = [browser(base) for _ in attempts]
    start = threading.Barrier(len(attempts))

    def sign_in(index: int) -> int:
        http, token = browsers[index]
        email, password = attempts[index]
        start.wait(timeout=60)
        response = http.post(f"{base}/login", data={"email": email, "password": password, "csrf_token": token},
                             allow_redirects=False, timeout=60)
        return response.status_code

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return list(pool.map(sign_in, range(len(attempts))))


def assert_parallel_guesses_are_capped(settings, make_user):
    make_user("ada@example.com")
    with served(settings) as (base, _app):
        statuses = parallel_sign_ins(base, [("ada@example.com", f"guess {n}") for n in range(150)])
        # At most the limit had their password checked (422), every other was throttled (429). Not exactly the
        # limit: 150 attempts also pass the address's limit of 50, and one of the first ten on the account can
        # count itself on the address after fifty others did, so it is throttled too (seen once in a loaded run).
        assert statuses.count(422) <= ACCOUNT_LIMIT
        assert statuses.count(422) + statuses.count(429) == 150
        http, token = browser(base)
        right = http.post(f"{base}/login", data={"email": "ada@example.com", "password": PASSWORD, "csrf_token": token},
                          allow_redirects=False, timeout=30)
        assert right.status_code == 429  # even the right password waits out the window


@pytest.mark.slow
def test_150_parallel_wrong_passwords_let_at_most_the_limit_through(settings, make_user):
    assert_parallel_guesses_are_capped(settings, make_user)


@pytest.mark.redis
def test_150_parallel_wrong_passwords_with_counts_in_redis(database_url, redis_url, make_user):
    from webapp.settings import load_settings

    settings = load_settings(database_url=database_url, secret_key="test-secret", outbox_pump=False,
                             redis_url=redis_url)
    assert_parallel_guesses_are_capped(settings, make_user)
    import redis

    keys = redis.Redis.from_url(redis_url).keys("*sign-in:*")
    assert keys, "the counts are kept in Redis, shared by every web process"


@pytest.mark.slow
def test_password_spraying_is_capped_per_address(client, auth, make_user):
    make_user("ada@example.com")
    for n in range(ADDRESS_LIMIT):
        assert auth.login(f"person{n}@example.com", "Summer2026!").status_code == 422
    throttled = auth.login("ada@example.com")  # a new account, the right password, the same address
    assert throttled.status_code == 429
    assert client.get("/dashboard").status_code == 302


@pytest.mark.slow
def test_successful_sign_ins_do_not_use_up_the_address_allowance(client, auth, make_user):
    make_user("ada@example.com")
    for _ in range(ADDRESS_LIMIT + 5):
        assert auth.login("ada@example.com").status_code == 303
        auth.logout()


def test_nul_bytes_in_the_sign_in_form_are_counted_and_refused_cleanly(client, auth, make_user):
    make_user("ada@example.com")
    for _ in range(ACCOUNT_LIMIT):
        response = auth.login("ada@example.com\x00", "guess\x00")
        assert response.status_code == 400
        assert "contains a NUL character" in response.get_data(as_text=True)
    assert auth.login("ada@example.com\x00").status_code == 429


def test_the_throttled_form_keeps_the_email_and_says_why(client, auth, make_user):
    make_user("ada@example.com")
    for _ in range(ACCOUNT_LIMIT):
        auth.login("ada@example.com", "guess")
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", data={"email": "ada@example.com", "password": "x", "csrf_token": token},
                           headers={"HX-Request": "true"})
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "300"
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith("<form id=\"sign-in-form\"")  # the form itself, ready to try again
    assert 'value="ada@example.com"' in body
    assert "Too many sign-in attempts. Please wait a moment" in body


@pytest.mark.slow
def test_with_redis_unreachable_sign_in_still_works_and_counts_in_the_process(database_url, make_user):
    from webapp import create_app
    from webapp.settings import load_settings

    from .conftest import Auth
    from .support import free_port

    make_user("ada@example.com")
    settings = load_settings(database_url=database_url, secret_key="test-secret", outbox_pump=False,
                             redis_url=f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    auth = Auth(create_app(settings).test_client())
    assert auth.login("ada@example.com").status_code == 303
    auth.logout()
    for _ in range(ACCOUNT_LIMIT):
        assert auth.login("ada@example.com", "guess").status_code == 422
    assert auth.login("ada@example.com").status_code == 429


def spray_from(client, auth, forwarded_for: str) -> int:
    """ADDRESS_LIMIT wrong guesses on as many accounts from one forwarded address, then one right password."""
    client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded_for
    for n in range(ADDRESS_LIMIT):
        assert auth.login(f"person{n}@example.com", "Summer2026!").status_code == 422
    return auth.login("ada@example.com").status_code


@pytest.mark.slow
def test_behind_a_trusted_proxy_each_person_is_counted_at_their_own_address(database_url, make_user):
    from webapp import create_app
    from webapp.settings import load_settings

    from .conftest import Auth

    make_user("ada@example.com")
    settings = load_settings(database_url=database_url, secret_key="test-secret", outbox_pump=False, redis_url=None,
                             trusted_proxies=1)
    client = create_app(settings).test_client()
    auth = Auth(client)
    assert spray_from(client, auth, "203.0.113.7") == 429  # the sprayer is stopped ...
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.23"
    assert auth.login("ada@example.com").status_code == 303  # ... a colleague behind the same proxy is not


@pytest.mark.slow
def test_without_trusted_proxies_a_forged_forwarded_address_does_not_reset_the_count(client, auth, make_user):
    make_user("ada@example.com")
    assert spray_from(client, auth, "203.0.113.7") == 429
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.23"  # a sprayer pretending to be someone else
    assert auth.login("ada@example.com").status_code == 429
