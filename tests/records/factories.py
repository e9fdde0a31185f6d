"""Arranging files directly for permission and query-count tests (stories use the services)."""

from __future__ import annotations

import factory

from docflow.records.models import FileDocument, WorkFile
from tests.factories import AgencyFactory, MembershipFactory, ScopeFreeFactory
from tests.routing.factories import IncomingDocumentFactory


class WorkFileFactory(ScopeFreeFactory):
    class Meta:
        model = WorkFile

    agency = factory.SubFactory(AgencyFactory)
    year = 2026
    code = factory.Sequence(lambda n: f"{n:02d}.VP")
    title = factory.Sequence(lambda n: f"Hồ sơ công tác văn phòng số {n}")
    retention_years = 10
    opened_by = factory.LazyAttribute(lambda o: MembershipFactory(agency=o.agency, clerk=True).user)
    responsible = factory.LazyAttribute(lambda o: o.opened_by)


def filled(work_file: WorkFile, count: int) -> WorkFile:
    """Put ``count`` incoming copies of the file's agency into it, in order."""
    items = [
        FileDocument(agency=work_file.agency, work_file=work_file, position=i, page_count=2,
                     incoming=IncomingDocumentFactory(agency=work_file.agency), added_by=work_file.opened_by)
        for i in range(1, count + 1)
    ]
    FileDocument.objects.cross_agency("system").bulk_create(items)
    return work_file
