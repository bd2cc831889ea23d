"""The served OpenAPI document validates, names every API route, and says what every refusal looks like."""
from __future__ import annotations

from openapi_spec_validator import validate
from openapi_spec_validator.validation.validators import OpenAPIV31SpecValidator


def test_the_document_is_valid_openapi_3_1(client):
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200 and document.headers["Content-Type"] == "application/json"
    spec = document.json
    assert spec["openapi"].startswith("3.1")
    validate(spec, cls=OpenAPIV31SpecValidator)


def test_every_api_route_is_described_with_its_security_and_problems(app, client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": spec["components"]["securitySchemes"]["bearerAuth"]["description"]}
    described = {(path, method.upper()) for path, item in spec["paths"].items() for method in item}
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = rule.rule.replace("<int:", "{").replace(">", "}").replace("<", "{")
            served |= {(path, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert described == served
    for item in spec["paths"].values():
        for operation in item.values():
            assert operation["security"] == [{"bearerAuth": []}]
            for status in ("401", "403", "404", "422", "429"):
                assert "application/problem+json" in operation["responses"][status]["content"]


def test_the_docs_page_uses_only_files_served_here(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/static/vendor/swagger-ui-bundle.js" in html and "http" not in html.split("<body>")[1].replace(
        "/api/v1/openapi.json", "")
    assert "<script>" not in html  # the CSP allows no inline script
    assert client.get("/static/vendor/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static/js/api_docs.js").status_code == 200
