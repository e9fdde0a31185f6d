"""Each bad environment value stops start-up with a message naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from docflow.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parents[2]
GOOD_PRODUCTION = {
    "DOCFLOW_ENV": "production",
    "SECRET_KEY": "k3y-" + "0123456789abcdefghijklmnopqrstuvwxyz" * 2,
    "DATABASE_URL": "postgres://docflow:pw@db.example:5432/docflow",
    "CELERY_BROKER_URL": "redis://redis.example:6379/0",
    "ALLOWED_HOSTS": "docflow.example.gov.vn",
}


def load(env: dict) -> object:
    return load_config(env, base_dir=Path("/tmp/docflow-config-test"))


def test_embedded_defaults_need_no_configuration():
    config = load({})
    assert config.environment == "development"
    assert config.database["ENGINE"] == "django.db.backends.sqlite3"
    assert config.database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in config.database["OPTIONS"]["init_command"]
    assert config.tasks_eager is True
    assert config.email_backend.endswith("console.EmailBackend")


def test_production_profile_accepts_a_complete_configuration():
    config = load(GOOD_PRODUCTION)
    assert config.production and not config.debug
    assert config.database["ENGINE"] == "docflow.core.db.postgresql"
    assert config.database["NAME"] == "docflow"
    assert config.tasks_eager is False


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DOCFLOW_ENV", "staging"),
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "mysql://u@h/db"),
        ("DATABASE_URL", "postgres://u@h/db?prepare=sometimes"),
        ("CELERY_BROKER_URL", "http://not-a-broker"),
        ("CELERY_TASK_ALWAYS_EAGER", "sometimes"),
        ("EMAIL_PORT", "smtp"),
        ("EMAIL_PORT", "0"),
        ("EMAIL_USE_TLS", "2"),
        ("DOCFLOW_MAX_UPLOAD_MB", "-5"),
        ("DOCFLOW_SITE_URL", "docflow.local"),
        ("DOCFLOW_STORAGE_BACKEND", "storages.backends.nothing.Storage"),
        ("LOG_LEVEL", "loud"),
    ],
)
def test_bad_value_names_the_variable(variable, value):
    with pytest.raises(ConfigError) as excinfo:
        load({variable: value})
    assert excinfo.value.variable == variable
    assert str(excinfo.value).startswith(f"{variable}:")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "1"),
        ("SECRET_KEY", ""),
        ("SECRET_KEY", "short"),
        ("SECRET_KEY", "x" * 64),
        ("DATABASE_URL", ""),
        ("DATABASE_URL", "sqlite:////tmp/x.sqlite3"),
        ("ALLOWED_HOSTS", ""),
        ("CELERY_BROKER_URL", ""),
    ],
)
def test_production_refuses_unsafe_settings(variable, value):
    env = {**GOOD_PRODUCTION, variable: value}
    with pytest.raises(ConfigError) as excinfo:
        load(env)
    assert excinfo.value.variable == variable


def run_manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DOCFLOW_", "DATABASE_", "CELERY_", "DEBUG"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
        capture_output=True, text=True, timeout=120,
    )


def test_prepared_statements_are_on_unless_the_database_url_turns_them_off():
    assert load({"DATABASE_URL": "postgres://u@h/db"}).database["ENGINE"] == "docflow.core.db.postgresql"
    assert "prepare" not in load({"DATABASE_URL": "postgres://u@h/db"}).database.get("OPTIONS", {})
    assert load({"DATABASE_URL": "postgres://u@h/db?prepare=off"}).database["OPTIONS"]["prepare"] == "off"


def test_start_up_stops_naming_the_variable(tmp_path):
    result = run_manage({"DOCFLOW_DATA_DIR": str(tmp_path), "EMAIL_PORT": "smtp"}, "check")
    assert result.returncode != 0
    assert "EMAIL_PORT: expected a whole number" in result.stderr


def test_production_check_deploy_is_clean(tmp_path):
    env = {**GOOD_PRODUCTION, "DOCFLOW_DATA_DIR": str(tmp_path)}
    result = run_manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_demo_data(tmp_path):
    env = {**GOOD_PRODUCTION, "DOCFLOW_DATA_DIR": str(tmp_path)}
    result = run_manage(env, "seed_demo")
    assert result.returncode != 0
    assert "refuses to create demo users in production" in result.stderr


def test_trust_roots_default_to_the_data_folder_and_must_be_a_folder_when_set(tmp_path):
    assert load({"DOCFLOW_DATA_DIR": str(tmp_path)}).trust_roots == tmp_path / "trust-roots"
    assert load({"DOCFLOW_TRUST_ROOTS": str(tmp_path)}).trust_roots == tmp_path
    with pytest.raises(ConfigError, match="DOCFLOW_TRUST_ROOTS"):
        load({"DOCFLOW_TRUST_ROOTS": str(tmp_path / "missing")})
    with pytest.raises(ConfigError, match="DOCFLOW_REVOCATION_FETCH"):
        load({"DOCFLOW_REVOCATION_FETCH": "maybe"})


def test_timestamp_authority_is_optional_and_must_be_a_url():
    assert load({}).tsa_url == ""
    assert load({"DOCFLOW_TSA_URL": "http://tsa.example.gov.vn/tsa"}).tsa_url == "http://tsa.example.gov.vn/tsa"
    with pytest.raises(ConfigError, match="DOCFLOW_TSA_URL"):
        load({"DOCFLOW_TSA_URL": "tsa.example"})


AXIS = {"DOCFLOW_AXIS_URL": "https://truc.example.gov.vn/XrdAdapter/adapter/",
        "DOCFLOW_AXIS_SYSTEM_ID": "000.00.31.H52", "DOCFLOW_AXIS_SECRET": "bi-mat-cua-he-thong"}


def test_axis_connector_is_off_until_its_three_variables_are_set():
    assert load({}).axis is None
    axis = load(AXIS).axis
    assert axis.url == "https://truc.example.gov.vn/XrdAdapter/adapter"  # operations are appended
    assert (axis.system_id, axis.secret, axis.timeout_seconds) == ("000.00.31.H52", "bi-mat-cua-he-thong", 20)
    assert load({**AXIS, "DOCFLOW_AXIS_TIMEOUT_SECONDS": "5"}).axis.timeout_seconds == 5


@pytest.mark.parametrize(("variable", "value"), [
    ("DOCFLOW_AXIS_URL", ""),
    ("DOCFLOW_AXIS_URL", "truc.example.gov.vn"),
    ("DOCFLOW_AXIS_URL", "ftp://truc.example.gov.vn/"),
    ("DOCFLOW_AXIS_URL", "https://truc.example.gov.vn/adapter?token=x"),
    ("DOCFLOW_AXIS_SYSTEM_ID", " "),
    ("DOCFLOW_AXIS_SECRET", ""),
    ("DOCFLOW_AXIS_TIMEOUT_SECONDS", "0"),
    ("DOCFLOW_AXIS_TIMEOUT_SECONDS", "soon"),
])
def test_bad_axis_value_names_the_variable(variable, value):
    with pytest.raises(ConfigError) as excinfo:
        load({**AXIS, variable: value})
    assert excinfo.value.variable == variable
