"""The Flask app class: Flask plus flask-openapi3's document of the /api/v1 routes.

flask-openapi3 declares `security` but does not check it (webapp.api.auth does), and describes its own
validation errors as a JSON array; the document is corrected here so it says what the API really answers:
problem+json for every refusal, 401 without a valid token, 429 with Retry-After.
"""
from __future__ import annotations

from flask import Flask
from flask_openapi3 import Info, OpenAPI

from .problems import InvalidParam, Problem, validation_problem

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
REFUSALS = {
    "400": "The request could not be read (malformed JSON, a NUL character).",
    "401": "No token, or one that is unknown, revoked or expired.",
    "403": "The token's scope or its person's role does not allow this.",
    "404": "Nothing with this id that the token's person may see.",
    "422": "The input does not match this description; `invalid-params` names each field. Nothing changed.",
    "429": "This token made too many requests; wait the number of seconds in Retry-After.",
}
SECURITY_SCHEMES = {"bearerAuth": {"type": "http", "scheme": "bearer",
                                   "description": "A personal or service access token (llp_...), made on your "
                                                  "profile page."}}


class LearnloopApp(OpenAPI):
    """Flask with the API's OpenAPI 3.1 document (served by webapp.api at /api/v1/openapi.json)."""

    def __init__(self, import_name: str, **kwargs):
        super().__init__(import_name, info=Info(title="Learnloop API", version="1.0.0"),
                         security_schemes=SECURITY_SCHEMES, doc_ui=False,
                         validation_error_callback=validation_problem, **kwargs)

    # The app's own routes stay plain Flask routes: only the API's blueprint (APIBlueprint) is documented and
    # has its parameters validated by flask-openapi3.
    get, post, put, delete, patch = Flask.get, Flask.post, Flask.put, Flask.delete, Flask.patch

    def generate_spec_json(self):
        super().generate_spec_json()
        spec = self.spec_json
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        schemas.pop(self.validation_error_model.__name__, None)
        problem_schema = Problem.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
        problem_schema.pop("$defs", None)
        schemas["Problem"] = problem_schema
        schemas["InvalidParam"] = InvalidParam.model_json_schema()
        spec["servers"] = [{"url": "/"}]
        for path_item in spec.get("paths", {}).values():
            for operation in path_item.values():
                responses = operation.setdefault("responses", {})
                if "requestBody" in operation:  # a rule of the product refused a well-formed request
                    responses["409"] = {"description": "The mission's rules refuse it now (limit, cooldown, daily "
                                                       "cap, evidence, not enrolled); `detail` says which.",
                                        "content": {"application/problem+json": {"schema": PROBLEM_REF}}}
                for status, description in REFUSALS.items():
                    responses[status] = {"description": description,
                                         "content": {"application/problem+json": {"schema": PROBLEM_REF}}}
                responses["429"]["headers"] = {"Retry-After": {
                    "description": "Seconds to wait before the next request.", "schema": {"type": "integer"}}}
        return spec
