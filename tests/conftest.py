"""Shared fixtures: agencies and members built by factories, API clients per member."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import AgencyFactory, MembershipFactory


APP_ROLE = "docflow_app_test"


def app_role_test_grants(cursor, owner: str) -> None:
    """What the tests need beyond the app's grants: TRUNCATE, for the transactional tests'
    flush (also on tables a migration test drops and makes again)."""
    cursor.execute(f'GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO "{APP_ROLE}"')
    cursor.execute(f'ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA public '
                   f'GRANT TRUNCATE ON TABLES TO "{APP_ROLE}"')


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """On PostgreSQL the suite runs as the app role: the test database is created and migrated
    as the owner, then the default connection (and the workers the tests start) log in as a
    role that owns nothing and has no BYPASSRLS, so row-level security holds in every test.
    TRUNCATE (the transactional tests' flush) is granted here only, for the tests."""
    from django.conf import settings
    from django.db import connection

    from docflow.core import rls

    if connection.vendor != "postgresql":
        yield
        return
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            owner = cursor.fetchone()[0]
            for statement in rls.role_sql(APP_ROLE) + rls.grant_sql(APP_ROLE, owner=owner):
                cursor.execute(statement)
            app_role_test_grants(cursor, owner)
    owner_settings = {"USER": connection.settings_dict["USER"], "PASSWORD": connection.settings_dict["PASSWORD"]}
    connection.close()
    for target in (connection.settings_dict, settings.DATABASES["default"]):
        target.update({"USER": APP_ROLE, "PASSWORD": ""})
    settings.DOCFLOW_DB_OWNER = {**settings.DATABASES["default"], **owner_settings}
    try:
        yield
    finally:
        connection.close()
        for target in (connection.settings_dict, settings.DATABASES["default"]):
            target.update(owner_settings)


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_login_counts(request):
    """Failed sign-ins of an earlier test never lock out this one (axes keeps them in the
    database; the test's rollback normally clears them, this holds whatever the test kind)."""
    for name in ("transactional_db", "db"):
        if name in request.fixturenames:
            request.getfixturevalue(name)
            from axes.utils import reset

            reset()
            break


@pytest.fixture
def agency_a(db):
    return AgencyFactory(name="Ủy ban nhân dân xã Phiêng Ban", place="Phiêng Ban")


@pytest.fixture
def agency_b(db):
    return AgencyFactory(name="Ủy ban nhân dân xã Song Pe", place="Song Pe")


def api_client_for(membership, *, agency_header: str | None = None) -> APIClient:
    from docflow.api.tokens import token_issue

    _token, key = token_issue(user=membership.user, device="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    if agency_header:
        client.defaults["HTTP_X_AGENCY"] = agency_header
    return client


@pytest.fixture
def member_factory(db):
    return MembershipFactory


@pytest.fixture
def client_for():
    return api_client_for


class WorkerProcess:
    def __init__(self, proc, log_path):
        self.proc, self.log_path = proc, log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        import subprocess

        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL the whole worker: the main process and its pool (its own process group)."""
        import os
        import signal

        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=20)


def start_celery_worker(
    *, broker_url: str, log_path, pool: str = "solo", concurrency: int = 1,
    env: dict[str, str] | None = None, wait_ready: bool = True,
) -> WorkerProcess:
    """A real `celery worker` process on the test database and ``broker_url``, once ready.

    ``pool="prefork"`` with ``concurrency`` is production's pool; the worker leads its own
    process group, so ``kill`` takes its pool with it. ``env`` adds to its environment; the log
    is appended to, so a worker started again on the same path keeps the earlier lines.
    """
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    from django.conf import settings
    from django.db import connection

    if not broker_url.startswith("redis"):
        pytest.fail("worker tests need CELERY_BROKER_URL=redis://… (run them in the PostgreSQL pass)")
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        pytest.fail("worker tests need PostgreSQL: the worker shares the test database")
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{connection.settings_dict['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "CELERY_BROKER_URL": broker_url,
           "CELERY_TASK_ALWAYS_EAGER": "0", "EMAIL_HOST": "", **(env or {})}
    started_at = log_path.stat().st_size if log_path.exists() else 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "workers.celery", "worker", f"--pool={pool}",
         f"--concurrency={concurrency}",
         "-Q", "default,delivery,pdf,notify", "--without-gossip", "--without-mingle",
         "--without-heartbeat", "-l", "info"],
        cwd=Path(__file__).resolve().parent.parent, env=env,
        stdout=open(log_path, "a"), stderr=subprocess.STDOUT, start_new_session=True,
    )
    worker = WorkerProcess(proc, log_path)
    deadline = time.monotonic() + 60
    while wait_ready and b"ready." not in log_path.read_bytes()[started_at:]:
        if proc.poll() is not None or time.monotonic() > deadline:
            worker.stop()
            pytest.fail("the Celery worker did not start:\n" + worker.log())
        time.sleep(0.2)
    return worker


@pytest.fixture(scope="session")
def celery_worker_session(django_db_setup, django_db_blocker, tmp_path_factory):
    """One real `celery worker` for the session, on the test database and the configured Redis."""
    import os

    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    worker = start_celery_worker(broker_url=os.environ.get("CELERY_BROKER_URL", ""), log_path=log_path)
    try:
        yield worker
    finally:
        worker.stop()


@pytest.fixture
def celery_worker_process(celery_worker_session, settings):
    """The session's worker, with tasks sent to it instead of run eagerly — for this test only,
    so later tests in the session still run their tasks in-process."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    return celery_worker_session
