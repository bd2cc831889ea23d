import pytest

from webapp import create_app
from webapp.settings import SettingsError, load_settings


def test_defaults_are_the_embedded_mode(monkeypatch):
    for name in ("DATABASE_URL", "REDIS_URL", "OPENAI_API_KEY", "PORT"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.is_sqlite
    assert not settings.uses_redis
    assert not settings.uses_llm
    assert settings.port == 5000


def test_postgres_urls_are_normalised_to_psycopg():
    settings = load_settings(database_url="postgresql://u@db/learnloop")
    assert settings.database_url == "postgresql+psycopg://u@db/learnloop"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PORT", "eighty"),
        ("PORT", "70000"),
        ("DATABASE_URL", "mysql://root@localhost/db"),
        ("REDIS_URL", "http://localhost:6379"),
        ("OPENAI_BASE_URL", "localhost:8000"),
        ("LLM_TIMEOUT_SECONDS", "-1"),
        ("SESSION_COOKIE_SECURE", "sometimes"),
        ("OIDC_ISSUER", "ftp://idp.corp.example"),
        ("OIDC_ISSUER", "http://idp.corp.example"),  # tokens in clear text: https unless on this machine
        ("OIDC_ALLOWED_EMAIL_DOMAINS", "corp.example, not a domain"),
        ("BREAK_GLASS_ADMIN_EMAIL", "root"),
        ("PASSWORD_SIGN_IN", "maybe"),
    ],
)
def test_bad_value_stops_start_up_naming_the_variable(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as error:
        create_app()
    assert variable in str(error.value)


def test_secret_values_are_not_echoed_in_errors(monkeypatch):
    with pytest.raises(SettingsError) as error:
        load_settings(openai_api_key=["not", "a", "string"], port="x")
    assert "OPENAI_API_KEY" in str(error.value)
    assert "not" not in str(error.value).split("OPENAI_API_KEY")[1].split(";")[0]


def test_session_cookie_flags(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_secure_cookie_setting_reaches_flask(database_url):
    app = create_app(load_settings(database_url=database_url, secret_key="x", session_cookie_secure=True,
                                   outbox_pump=False))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_readme_documents_every_setting():
    from pathlib import Path

    from webapp.settings import Settings

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    for name in Settings.model_fields:
        assert f"| `{name.upper()}` |" in readme, f"{name.upper()} is missing from the README's configuration table"


def test_single_sign_on_needs_its_client_and_never_echoes_the_secret():
    with pytest.raises(SettingsError) as error:
        load_settings(oidc_issuer="https://idp.corp.example", oidc_client_secret="hunter2-secret")
    assert "OIDC_CLIENT_ID" in str(error.value)
    assert "hunter2-secret" not in str(error.value)


def test_passwords_cannot_be_switched_off_without_single_sign_on():
    with pytest.raises(SettingsError) as error:
        load_settings(password_sign_in=False)
    assert "PASSWORD_SIGN_IN" in str(error.value)


def test_single_sign_on_settings_are_normalised():
    settings = load_settings(oidc_issuer="https://idp.corp.example/realms/acme/", oidc_client_id="learnloop",
                             oidc_client_secret="s", oidc_allowed_email_domains=" Corp.example, @sub.corp.example ",
                             break_glass_admin_email=" Root@Corp.example ")
    assert settings.oidc_issuer == "https://idp.corp.example/realms/acme"
    assert settings.allowed_email_domains == ("corp.example", "sub.corp.example")
    assert settings.break_glass_admin_email == "root@corp.example"
    assert settings.uses_sso
    assert not load_settings().uses_sso
