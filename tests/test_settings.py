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
