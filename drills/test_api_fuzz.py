"""Drill: schemathesis over the OpenAPI document — generated requests to every operation, with
a valid token, checked for server errors and for answers outside the documented schema.

    JIEFEN_DRILL_EXAMPLES=200 .venv/bin/pytest drills/test_api_fuzz.py -q -s   # by hand
    (the test suite runs it with a few examples an operation: the short form)

It prints the figures: operations, requests, server errors, schema violations.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks as generic
from schemathesis.specs.openapi import checks as oas_checks

from jiefen.wsgi import application

EXAMPLES = int(os.environ.get("JIEFEN_DRILL_EXAMPLES", "5"))
FIGURES: Counter = Counter()

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

# 0 server errors, 0 answers outside the document (status, content type, body schema).
CHECKS = [
    generic.not_a_server_error,
    oas_checks.status_code_conformance,
    oas_checks.content_type_conformance,
    oas_checks.response_schema_conformance,
]


@pytest.fixture(scope="module", autouse=True)
def _figures():
    yield
    ops = len(list(schema.get_all_operations()))
    print(
        f"\nAPI fuzz drill: {ops} operations, {FIGURES['requests']} requests "
        f"({EXAMPLES} examples an operation), {FIGURES['failures']} failures "
        "(server errors, undocumented statuses, answers outside the schema)"
    )


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Requests go straight to the WSGI application, not through Django's test client: keep
    Django from closing the connection that holds the test's transaction after each one."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(db, dispatcher):
    from jiefen.directory.services import api_token_create

    return api_token_create(staff=dispatcher)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api(case, token):
    FIGURES["requests"] += 1
    try:
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
    except Exception:
        FIGURES["failures"] += 1
        raise
