"""RFC 9457 problem details: how every answer under /api/ says no."""
from __future__ import annotations

import json

from flask import current_app, request
from pydantic import BaseModel, Field

PROBLEM_TYPE = "application/problem+json"
TITLES = {
    400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
    406: "Not acceptable", 409: "Conflict", 413: "Content too large", 415: "Unsupported media type",
    422: "Unprocessable content", 429: "Too many requests", 500: "Internal server error",
    503: "Service unavailable",
}


class InvalidParam(BaseModel):
    name: str = Field(description="The parameter or field at fault (a dotted path for nested fields).")
    reason: str


class Problem(BaseModel):
    """A problem detail (RFC 9457): what went wrong, for a program (`status`, `type`) and a person (`detail`)."""

    type: str = Field(default="about:blank", description="A URI naming the kind of problem.")
    title: str
    status: int
    detail: str | None = None
    instance: str | None = Field(default=None, description="The path of the request that failed.")
    invalid_params: list[InvalidParam] | None = Field(
        default=None, alias="invalid-params", description="Each input at fault, for validation problems.")

    model_config = {"populate_by_name": True}


def is_api_request() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def problem(status: int, detail: str | None = None, invalid: list[InvalidParam] | None = None,
            headers: dict | None = None):
    """A problem+json response with `status`; `detail` is plain text safe to show to a person."""
    body = Problem(title=TITLES.get(status, f"Error {status}"), status=status, detail=detail, instance=request.path,
                   invalid_params=invalid)
    response = current_app.response_class(
        json.dumps(body.model_dump(by_alias=True, exclude_none=True)), status=status, mimetype=PROBLEM_TYPE)
    for name, value in (headers or {}).items():
        if name.lower() != "content-type":
            response.headers[name] = value
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="learnloop"'
    return response


def validation_problem(error):
    """flask-openapi3's validation failures (pydantic) as one 422 problem naming each input at fault."""
    invalid = [InvalidParam(name=".".join(str(part) for part in issue["loc"]) or "body", reason=issue["msg"])
               for issue in error.errors(include_url=False)]
    return problem(422, "Some input is not valid; nothing was changed.", invalid)
