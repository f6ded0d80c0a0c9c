"""A published incident whose notices went out, and a client for its portal."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from breachdesk.config import get_settings
from breachdesk.db import Database
from breachdesk.incidents.models import Incident
from breachdesk.main import create_app
from tests.delivery.conftest import approve_default_template, everyone, import_people
from tests.factories import disclose


@pytest.fixture
def notified(run_cli, incident, tmp_path, database_url) -> int:
    """The incident's facts published, and its initial notices sent (six emails)."""
    approve_default_template(run_cli, tmp_path)
    import_people(run_cli, tmp_path, incident, everyone())
    ready = incident
    created = run_cli("campaign", "create", "--incident", ready)
    assert created.exit_code == 0, created.output
    campaign = created.output.strip()
    for step in (("wave", campaign), ("run", campaign)):
        result = run_cli("campaign", *step)
        assert result.exit_code == 0, result.output
    database = Database(database_url)
    with database.session() as session:
        disclose(session, session.get(Incident, ready))
    database.dispose()
    return ready


@pytest.fixture
def client(settings_env) -> Iterator[TestClient]:
    """The web app as a browser on this machine would reach it."""
    with TestClient(create_app(get_settings()), base_url="http://127.0.0.1:8000") as test_client:
        yield test_client
