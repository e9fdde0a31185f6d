"""A clerk searches the agency's documents typing without accents, and finds only her agency's."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from docflow.core.scoping import cross_agency
from docflow.documents.drafting import document_update
from docflow.documents.models import OutgoingDocument
from docflow.routing.models import IncomingDocument
from docflow.routing.search import documents_search
from docflow.core.scoping import agency_scope
from tests.documents.story import approved, draft, issued, sending_office
from tests.factories import AgencyFactory, MembershipFactory
from tests.routing.factories import IncomingDocumentFactory

pytestmark = pytest.mark.django_db


def found(agency, q: str, **kwargs) -> list[str]:
    with agency_scope(agency):
        return sorted(hit.subject for hit in documents_search(q=q, **kwargs))


def arrived(agency, subject: str, **fields):
    return IncomingDocumentFactory(agency=agency, subject=subject, **fields)


@pytest.fixture
def commune(agency_a):
    return sending_office(agency_a)


def test_quyet_dinh_finds_quyet_dinh_arrived_and_drafted(commune):
    arrived(commune.agency, "Quyết định phê duyệt kế hoạch sử dụng đất")
    draft(commune, subject="Dự thảo Quyết định thành lập tổ công tác")
    arrived(commune.agency, "Thông báo lịch tiếp công dân")
    assert found(commune.agency, "quyet dinh") == [
        "Dự thảo Quyết định thành lập tổ công tác", "Quyết định phê duyệt kế hoạch sử dụng đất",
    ]
    assert found(commune.agency, "QUYẾT ĐỊNH", kinds=["incoming"]) == ["Quyết định phê duyệt kế hoạch sử dụng đất"]


def test_dien_finds_dien_in_the_subject_the_content_and_the_signer(commune):
    arrived(commune.agency, "Về việc bảo đảm an toàn lưới điện")
    arrived(commune.agency, "Về việc chuẩn bị mùa mưa", content="Kiểm tra đường dây điện hạ thế.")
    arrived(commune.agency, "Về việc tiếp công dân", signer_name="Lường Văn Điền")
    arrived(commune.agency, "Về việc tổ chức hội nghị", content="Mời dự hội nghị.")
    assert found(commune.agency, "dien") == [
        "Về việc bảo đảm an toàn lưới điện", "Về việc chuẩn bị mùa mưa", "Về việc tiếp công dân",
    ]


def test_d_and_dj_are_the_same_letter_both_ways(commune):
    arrived(commune.agency, "Về việc làm đường giao thông nông thôn")
    arrived(commune.agency, "Về việc điều tra dân số")
    assert found(commune.agency, "duong") == ["Về việc làm đường giao thông nông thôn"]
    assert found(commune.agency, "đân sỐ") == ["Về việc điều tra dân số"]
    assert found(commune.agency, "Đ") == found(commune.agency, "d") == [
        "Về việc làm đường giao thông nông thôn", "Về việc điều tra dân số",
    ]


def test_notation_sender_and_every_word_anywhere(commune):
    arrived(commune.agency, "Về việc kiểm tra", notation="15/QĐ-UBND", sender_name="Sở Tài chính tỉnh Sơn La")
    arrived(commune.agency, "Về việc giám sát", notation="16/QĐ-UBND", sender_name="Sở Nội vụ tỉnh Sơn La")
    assert found(commune.agency, "15/qđ-ubnd") == ["Về việc kiểm tra"]
    assert found(commune.agency, "tai chinh son la") == ["Về việc kiểm tra"]
    assert found(commune.agency, "son la giam") == ["Về việc giám sát"]
    assert found(commune.agency, "noi vu tai chinh") == []
    assert found(commune.agency, "   ") == []


def test_no_search_returns_another_agencys_document(commune, agency_b):
    theirs = sending_office(agency_b)
    for office in (commune, theirs):
        arrived(office.agency, "Quyết định về điện lực", content="Đường dây điện")
        draft(office, subject="Kế hoạch cấp điện", body="Điện lực huyện")
    with agency_scope(commune.agency):
        hits = documents_search(q="dien", limit=100)
        mine = set(IncomingDocument.objects.values_list("id", flat=True)) | set(
            OutgoingDocument.objects.values_list("id", flat=True))
    assert len(hits) == 2 and {h.id for h in hits} <= mine


def test_outgoing_search_text_follows_the_document_through_the_services(commune):
    document = draft(commune, subject="Về việc chuẩn bị Tết", body="Kính gửi các thôn.")
    document_update(actor=commune.staff, document_id=document.pk, changes={"body": "Trực Tết ở nhà văn hóa."})
    assert found(commune.agency, "nha van hoa") == ["Về việc chuẩn bị Tết"]
    assert found(commune.agency, "kinh gui") == []
    approved(commune, document)
    assert found(commune.agency, "lo van minh") == ["Về việc chuẩn bị Tết"]  # the signing leader
    issued_doc = issued(commune, subject="Về việc phòng cháy rừng")
    assert found(commune.agency, issued_doc.notation) == ["Về việc phòng cháy rừng"]


def test_the_copy_a_commune_receives_is_found_by_its_content_and_signer(commune, agency_b):
    issued(commune, subject="Về việc trồng cây", body="Trồng cây keo trên đồi Phiêng Ban.",
           recipients=[agency_b.code])
    assert found(agency_b, "phieng ban keo", kinds=["incoming"]) == ["Về việc trồng cây"]
    assert found(agency_b, "Lò Văn Minh", kinds=["incoming"]) == ["Về việc trồng cây"]


def test_search_api_ranks_the_callers_documents_and_costs_the_same_for_2_or_30(client_for, commune, agency_b):
    member = MembershipFactory(agency=commune.agency, staff=True)
    client = client_for(member)
    arrived(agency_b, "Về việc cấp điện cho bản Pá Khoang")
    for i in range(2):
        arrived(commune.agency, f"Về việc cấp điện số {i}", content="Đường dây điện hạ thế " * 40)
    with CaptureQueriesContext(connection) as two:
        response = client.get("/api/v1/search/", {"q": "cap dien"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["kind"] for r in results] == ["incoming", "incoming"]
    assert {r["subject"] for r in results} == {"Về việc cấp điện số 0", "Về việc cấp điện số 1"}
    assert results[0]["excerpt"].startswith("Đường dây điện") and len(results[0]["excerpt"]) <= 202
    for i in range(28):
        arrived(commune.agency, f"Về việc cấp điện đợt {i}")
    with CaptureQueriesContext(connection) as thirty:
        response = client.get("/api/v1/search/", {"q": "cap dien", "limit": 50})
    assert len(response.json()["results"]) == 30
    assert len(thirty) == len(two)


def test_search_api_refuses_a_missing_query_and_an_unknown_kind(client_for, commune):
    client = client_for(commune.staff)
    assert client.get("/api/v1/search/").json().keys() == {"q"}
    assert client.get("/api/v1/search/", {"q": "x", "kind": "archive"}).json().keys() == {"kind"}


def test_the_list_apis_q_uses_the_same_search(client_for, commune, agency_b):
    for office_agency in (commune.agency, agency_b):
        arrived(office_agency, "Về việc sửa chữa trạm điện")
        arrived(office_agency, "Về việc trồng rừng")
    theirs = sending_office(agency_b)
    draft(theirs, subject="Kế hoạch cấp điện")
    draft(commune, subject="Kế hoạch cấp điện")
    draft(commune, subject="Kế hoạch trồng rừng")
    client = client_for(commune.staff)
    incoming = client.get("/api/v1/incoming/", {"q": "TRAM DIEN"}).json()["results"]
    assert [r["subject"] for r in incoming] == ["Về việc sửa chữa trạm điện"]
    outgoing = client.get("/api/v1/outgoing/", {"q": "điên"}).json()["results"]
    assert [r["subject"] for r in outgoing] == ["Kế hoạch cấp điện"]
    assert outgoing[0]["id"] != str(OutgoingDocument.objects.with_scope(agency=agency_b).get().id)


def test_migrations_fill_the_search_text_of_rows_already_there(commune):
    import importlib

    outgoing = draft(commune, subject="Về việc bầu cử", body="Tổ bầu cử số 3")
    incoming = arrived(commune.agency, "Về việc họp", content="Họp ở hội trường", signer_name="Hà Văn Sơn")
    with cross_agency("system"):
        OutgoingDocument.objects.update(search_text="")
    with cross_agency("system"):  # migrations run as the owner, who sees every row
        importlib.import_module("docflow.documents.migrations.0003_outgoing_search_text").fill_search_text(apps, None)
    with cross_agency("system"):
        assert OutgoingDocument.objects.get(pk=outgoing.pk).search_text == outgoing.build_search_text()
        # Incoming copies keep theirs in a shared row (tests/routing/test_copy_texts.py).
        assert IncomingDocument.objects.get(pk=incoming.pk).search_text == incoming.build_search_text()
    assert "hoi truong" in incoming.build_search_text() and "ha van son" in incoming.build_search_text()


@pytest.mark.postgres
def test_postgresql_has_trigram_indexes_on_both_search_texts():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE '%%search_trgm'")
        indexes = dict(cursor.fetchall())
    assert set(indexes) == {"copytext_search_trgm", "outgoing_search_trgm"}
    assert all("gin" in d and "gin_trgm_ops" in d for d in indexes.values())


@pytest.mark.postgres
def test_on_postgresql_the_phrase_ranks_above_scattered_words(commune):
    arrived(commune.agency, "Về việc quyết toán kinh phí xây dựng định mức")  # newest, words apart
    arrived(commune.agency, "Quyết định về việc giao chỉ tiêu")
    arrived(commune.agency, "Về việc ban hành quyết định xử phạt")
    arrived(commune.agency, "Về việc quyết toán, định mức và quyết định")
    arrived(commune.agency, "Báo cáo định kỳ quyết toán năm")
    AgencyFactory()  # another agency, nothing of it
    with agency_scope(commune.agency):
        hits = documents_search(q="quyet dinh", kinds=["incoming"])
    assert [h.rank for h in hits] == sorted((h.rank for h in hits), reverse=True)
    assert {h.subject for h in hits[:3]} == {
        "Quyết định về việc giao chỉ tiêu", "Về việc ban hành quyết định xử phạt",
        "Về việc quyết toán, định mức và quyết định",
    }
    assert hits[0].rank == 1.0 and hits[-1].rank < 1.0


@pytest.mark.postgres
def test_every_connection_prices_parallel_workers_so_a_page_of_results_is_walked_serially():
    from docflow.core.db.postgresql.base import PARALLEL_SETUP_COST

    with connection.cursor() as cursor:
        cursor.execute("SHOW parallel_setup_cost")
        assert float(cursor.fetchone()[0]) == PARALLEL_SETUP_COST > 1000
