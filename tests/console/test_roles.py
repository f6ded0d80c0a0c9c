"""Every console route against every role (the persona matrix), on the demo's story.

The table below states who may do what independently of the code's own table
(console/access.py): a route that a role may not use answers 403 and changes nothing;
a page it may use renders. A new route fails here until it is added to the table.

It runs on SQLite only: the role check comes before any query, and each area's own
tests run on PostgreSQL too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from breachdesk.audit.models import AuditEventRow
from breachdesk.config import get_settings
from breachdesk.main import create_app
from tests.console.conftest import (
    ConsoleClient,
    console_routes,
    demo_client,
    demo_copy,
    demo_parameters,
)

ADMIN, LEAD, LEGAL, COMMS, AGENT, AUDITOR = (
    "admin", "lead", "legal_approver", "comms_approver", "agent", "auditor",
)  # fmt: skip
EVERYONE = {ADMIN, LEAD, LEGAL, COMMS, AGENT, AUDITOR}
WHO_MAY = {
    "SEE_DASHBOARD": EVERYONE,
    "SEE_FACTS": EVERYONE,
    "REVISE_FACTS": {LEAD},
    "SEE_PEOPLE": {LEAD, AGENT, AUDITOR},
    "SEE_NOTICES": {ADMIN, LEAD, LEGAL, COMMS, AUDITOR},
    "EDIT_NOTICES": {LEAD, COMMS},
    "APPROVE_NOTICES": {LEGAL, COMMS},
    "SEE_CAMPAIGNS": {ADMIN, LEAD, AUDITOR},
    "RUN_CAMPAIGNS": {LEAD},
    "WORK_DESK": {ADMIN, LEAD, LEGAL, COMMS, AGENT},
    "REVIEW_CLAIMS": {ADMIN, LEAD, LEGAL, AGENT},
    "DECIDE_CLAIMS": {ADMIN, LEAD, LEGAL},
    "SUBMIT_REGULATOR_NOTICES": {LEAD, LEGAL},
    "SEE_AUDIT": {ADMIN, LEAD, AUDITOR},
    "SEE_OUTBOX": {ADMIN, LEAD, LEGAL, COMMS, AUDITOR},
}
# Pages that answer with something other than 200 by design.
REDIRECTS = {"/console/"}  # one incident: straight to its dashboard


@pytest.fixture(scope="module")
def matrix(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    directory = tmp_path_factory.mktemp("matrix")
    with pytest.MonkeyPatch.context() as environment:
        data_dir = demo_copy(demo_template, directory, environment)
        app = create_app(get_settings())
        with TestClient(app):
            yield app, data_dir, demo_parameters(app.state.database, data_dir)


# Routes open to anyone: signing in, and the console's own scripts and styles.
OPEN = {
    ("GET", "/console/login"), ("POST", "/console/login"),
    ("GET", "/console/login/code"), ("POST", "/console/login/code"),
    ("GET", "/console/login/enrol"), ("POST", "/console/login/enrol"),
    ("POST", "/console/logout"), ("GET", "/console/static/{name}"),
}  # fmt: skip


def url_of(path: str, parameters: dict[str, str]) -> str:
    return path.format(**parameters)


def audit_count(app: FastAPI) -> int:
    with app.state.database.session() as session:
        return session.execute(select(func.count()).select_from(AuditEventRow)).scalar_one()


def test_every_route_needs_a_sign_in_and_names_a_permission_in_the_table(matrix):
    app, _data_dir, parameters = matrix
    anonymous = ConsoleClient(app, None)
    for method, path, permission in console_routes(app):
        if (method, path) in OPEN:
            continue
        assert permission in WHO_MAY, f"{method} {path} needs a permission from the table"
        url = url_of(path, parameters)
        answer = anonymous.get(url) if method == "GET" else anonymous.post(url, {})
        assert answer.status_code == 303, (method, path, answer.status_code)
        assert answer.headers["location"].startswith("/console/login")


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_each_role_is_refused_every_route_it_may_not_use_and_nothing_changes(matrix, role):
    app, data_dir, parameters = matrix
    client = demo_client(app, data_dir, role)
    before = audit_count(app)
    refused = []
    for method, path, permission in console_routes(app):
        if (method, path) in OPEN or role in WHO_MAY[permission]:
            continue
        url = url_of(path, parameters)
        answer = client.get(url) if method == "GET" else client.post(url, {})
        assert answer.status_code == 403, (role, method, path, answer.status_code)
        assert "may not" in answer.text
        refused.append(path)
    assert audit_count(app) == before, "a refused request changed something"
    if role != LEAD:
        assert refused, f"{role} is refused nothing"


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_each_role_sees_every_page_it_may_use(matrix, role):
    app, data_dir, parameters = matrix
    client = demo_client(app, data_dir, role)
    for method, path, permission in console_routes(app):
        if method != "GET" or (method, path) in OPEN or role not in WHO_MAY[permission]:
            continue
        answer = client.get(url_of(path, parameters))
        expected = 303 if path in REDIRECTS else 200
        assert answer.status_code == expected, (role, path, answer.status_code, answer.text[:300])


def test_every_role_may_post_what_it_is_allowed_to_past_the_role_check(matrix):
    """An allowed form post is never refused for the role (it may still be refused for
    its content: an empty form gets 422, or a redirect with a message)."""
    app, data_dir, parameters = matrix
    for role in sorted(EVERYONE):
        client = demo_client(app, data_dir, role)
        for method, path, permission in console_routes(app):
            if method != "POST" or (method, path) in OPEN or role not in WHO_MAY[permission]:
                continue
            answer = client.post(url_of(path, parameters), {})
            assert answer.status_code != 403 and answer.status_code < 500, (
                role, path, answer.status_code, answer.text[:300],
            )  # fmt: skip
