"""The load test's pieces run: its seed makes agencies people can sign in to, once, and the
locustfile imports with a user for every role."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import authenticate

from bench.load.seed import seed
from bench.load.signing import sign
from docflow.core.scoping import cross_agency
from docflow.exchange.clients import client_for_key
from docflow.routing.models import IncomingDocument
from docflow.tenancy.models import Membership

LOCUSTFILE = Path(__file__).resolve().parents[2] / "bench" / "load" / "locustfile.py"


@pytest.mark.django_db
def test_seed_makes_every_role_of_every_agency_and_a_second_run_changes_nothing(tmp_path):
    out = tmp_path / "seed.json"
    first = seed(agencies=4, exchange_clients=1, history=0, documents=1, out=out)
    assert first["fresh"] is True
    written = json.loads(out.read_text())
    assert len(written["agencies"]) == 3 and written["issuer"]["code"] not in {a["code"] for a in written["agencies"]}
    commune = written["agencies"][0]
    for role, flag in (("clerk", "is_clerk"), ("leader", "is_leader"), ("staff", "is_staff_member"),
                       ("agency_admin", "is_agency_admin")):
        user = authenticate(username=commune[role], password=written["password"])
        assert user is not None, role
        with cross_agency("system"):
            membership = Membership.objects.get(user=user)
        assert membership.agency.code == commune["code"] and getattr(membership, flag)
        assert membership.agency.require_second_factor is False
    with cross_agency("system"):
        # The issued document reached every commune, waiting at 01 for its clerk.
        copies = IncomingDocument.objects.filter(agency__code__in=[a["code"] for a in written["agencies"]])
        assert sorted(copies.values_list("status_code", flat=True)) == ["01", "01", "01"]
    key = written["exchange"][0]
    assert client_for_key(key=key["key"]).external_agency.code == key["code"]

    second = seed(agencies=4, exchange_clients=1, history=0, documents=1, out=out)
    assert second["fresh"] is False and second["exchange"] == written["exchange"]
    with cross_agency("system"):
        assert copies.count() == 3


def test_locustfile_loads_with_a_user_for_every_role():
    """In a child process: Locust's gevent patches the whole interpreter it is imported in."""
    listed = subprocess.run([sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--list"],
                            capture_output=True, text=True, timeout=120, check=True).stdout.split()
    assert {"Clerk", "Leader", "Staff", "Exchange", "Issuer"} <= set(listed)


def test_the_exchange_client_signs_as_the_guide_says():
    from docflow.exchange.signing import signature_check

    body = b'{"status_code": "03"}'
    headers = sign("whsec_test", body)
    signature_check(secret="whsec_test", message_id=headers["X-Docflow-Id"],
                    timestamp=headers["X-Docflow-Timestamp"], signature=headers["X-Docflow-Signature"], body=body)
