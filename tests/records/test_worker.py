"""With Redis and a real Celery worker process: a transfer's package is built by the worker; the
API answers 202 with Retry-After until it is ready, then the ZIP, whose BagIt checksums verify.

Runs in the PostgreSQL pass; needs CELERY_BROKER_URL pointing at Redis.
"""

from __future__ import annotations

import io
import zipfile

import bagit
import pytest

from docflow.core.scoping import cross_agency
from docflow.documents.files import stored_file_put_bytes
from tests.documents.story import pdf_bytes
from tests.factories import AgencyFactory, MembershipFactory
from tests.records.factories import WorkFileFactory, filled
from tests.routing.factories import IncomingAttachmentFactory
from tests.workers.test_real_worker import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_worker_builds_a_package_that_verifies(celery_worker_process, client_for, tmp_path):
    agency = AgencyFactory()
    archivist = MembershipFactory(agency=agency, archivist=True)
    work_file = filled(WorkFileFactory(agency=agency, state="closed"), 1)
    stored = stored_file_put_bytes(data=pdf_bytes("Bien ban"), content_type="application/pdf")
    with cross_agency("system"):
        incoming = work_file.documents.get().incoming
    IncomingAttachmentFactory(incoming=incoming, file=stored,
                              size=stored.size)
    client = client_for(archivist)
    made = client.post("/api/v1/archive-transfers/", {"files": [str(work_file.pk)]}, format="json")
    assert made.status_code == 202
    url = f"/api/v1/archive-transfers/{made.json()['id']}/"
    assert wait_for(lambda: client.get(url).json()["state"] == "ready"), celery_worker_process.log()
    package = client.get(url + "package/")
    assert package.status_code == 200
    zipfile.ZipFile(io.BytesIO(b"".join(package.streaming_content))).extractall(tmp_path)
    (bag_dir,) = tmp_path.iterdir()
    bagit.Bag(str(bag_dir)).validate()
    assert "records.archive_package" in celery_worker_process.log()
