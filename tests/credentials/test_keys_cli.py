"""`learnloop badges rotate-key`, `keys` and `retire-key`: the DID document follows."""
from __future__ import annotations

from .conftest import claim


def test_rotate_then_retire_through_the_command_line(app, client, auth, earned):
    auth.login("ada@example.com")
    claim(auth, earned[2].id)
    runner = app.test_cli_runner()
    first = client.get("/.well-known/did.json").get_json()["verificationMethod"][0]["id"].split("#")[1]
    rotated = runner.invoke(args=["badges", "rotate-key"])
    assert rotated.exit_code == 0, rotated.output
    listed = runner.invoke(args=["badges", "keys"]).output
    assert f"{first}" in listed and "verifies" in listed and "signs" in listed
    methods = client.get("/.well-known/did.json").get_json()["verificationMethod"]
    assert len(methods) == 2 and methods[0]["id"].endswith(first)
    # A new claim is signed by the new key.
    newest = methods[1]["id"]
    retired = runner.invoke(args=["badges", "retire-key", first])
    assert retired.exit_code == 0, retired.output
    assert [method["id"] for method in client.get("/.well-known/did.json").get_json()["verificationMethod"]] == [newest]
    unknown = runner.invoke(args=["badges", "retire-key", "key-nope"])
    assert unknown.exit_code != 0 and "No issuer key" in unknown.output
