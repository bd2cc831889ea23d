"""Outbound settings: a bad value stops start-up naming the variable, and secrets are never echoed."""
from __future__ import annotations

import pytest

from webapp.settings import SettingsError, load_settings


@pytest.mark.parametrize(("values", "named"), [
    ({"xapi_endpoint": "lrs.example.com/xAPI/", "xapi_username": "u", "xapi_password": "p",
      "public_url": "https://learn.example.com"}, "XAPI_ENDPOINT"),
    ({"xapi_endpoint": "https://lrs.example.com/xAPI/", "public_url": "https://learn.example.com"}, "XAPI_USERNAME"),
    ({"outbound_disable_after": 0}, "OUTBOUND_DISABLE_AFTER"),
    ({"outbound_timeout_seconds": -1}, "OUTBOUND_TIMEOUT_SECONDS"),
])
def test_bad_outbound_setting_is_named(values, named):
    with pytest.raises(SettingsError) as error:
        load_settings(**values)
    assert named in str(error.value)


def test_xapi_password_is_not_echoed():
    with pytest.raises(SettingsError) as error:
        load_settings(xapi_password=["hunter2"], port="x")
    assert "hunter2" not in str(error.value)
