"""The OpenAPI document is a contract tools can trust: valid OpenAPI 3.1, every operation's
error answers documented in the one error format, unique schema names, fixed values as enums."""

import pytest
from openapi_spec_validator import validate

from jiefen.api.router import api

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    return client.get("/api/v1/openapi.json").json()


def test_the_document_validates_as_openapi_3_1(schema):
    # given / when / then
    assert schema["openapi"].startswith("3.1")
    validate(schema)


def test_every_operation_documents_its_errors_in_the_one_format(schema):
    # given
    missing = []
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            for code in ("401", "422") + (("403", "404", "409") if method == "post" else ()):
                answer = op["responses"].get(code, {})
                ref = answer.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
                if ref != "#/components/schemas/Error":
                    missing.append(f"{method.upper()} {path} {code}")
    # then
    assert missing == []
    assert schema["components"]["schemas"]["Error"]["required"] == ["error", "message"]


def test_schema_names_are_unique():
    # given: every schema class the API's operations use, by name
    from ninja import Schema

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    api.get_openapi_schema()  # imports every router
    by_name: dict[str, set[str]] = {}
    for cls in subclasses(Schema):
        if cls.__module__.startswith("jiefen."):
            by_name.setdefault(cls.__name__, set()).add(cls.__module__)
    # then
    assert {n: m for n, m in by_name.items() if len(m) > 1} == {}


def test_fixed_values_are_enums(schema):
    # given
    comps = schema["components"]["schemas"]
    params = {p["name"]: p for p in schema["paths"]["/api/v1/cases"]["get"]["parameters"]}
    # then
    assert "walk_in" in comps["CaseIn"]["properties"]["channel"]["enum"]
    assert comps["PartyIn"]["properties"]["role"]["enum"] == ["applicant", "respondent", "third_party"]
    assert "accept" in comps["ActionIn"]["properties"]["action"]["enum"]
    assert "open" in params["status"]["schema"]["enum"]
    assert params["level"]["schema"]["enum"] == ["village", "town", "county"]
