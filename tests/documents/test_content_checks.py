"""Content checks on their own: what passes and what does not, whatever the file is called."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from docflow.documents.content_checks import PDF, content_type_detect
from docflow.rendering.official import OfficialDocument, render_official_document
from tests.documents import story


def detect(tmp_path, data: bytes) -> str:
    path = tmp_path / "upload"
    path.write_bytes(data)
    return content_type_detect(str(path))


def test_an_official_document_rendered_by_docflow_passes(tmp_path):
    pdf = render_official_document(OfficialDocument(
        agency_name="UBND XÃ PHIÊNG BAN", notation="01/QĐ-UBND", place="Phiêng Ban",
        issued_on=datetime.date(2026, 5, 3), doc_type_code="quyet_dinh", doc_type_name="Quyết định",
        subject="Về việc thành lập tổ công tác", body="Điều 1. Thành lập.\nĐiều 2. Hiệu lực.",
        signer_position="Chủ tịch", signer_name="Lò Văn Minh",
    ))
    assert detect(tmp_path, pdf) == PDF


def test_dangerous_words_printed_on_a_page_are_text_not_actions(tmp_path):
    import io

    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pageCompression=0)
    canvas.drawString(72, 720, "Huong dan: tat /JavaScript va /Launch /JS /EmbeddedFile")
    canvas.save()
    pdf = buffer.getvalue()
    assert b"/JavaScript" in pdf  # in the page's uncompressed content stream
    assert detect(tmp_path, pdf) == PDF


def test_javascript_hidden_in_an_object_stream_is_found(tmp_path):
    data = story.pdf_with_open_action_js_in_object_stream()
    assert b"JavaScript" not in data
    with pytest.raises(ValidationError) as refused:
        detect(tmp_path, data)
    assert "file" in refused.value.message_dict


def test_a_truncated_pdf_is_refused_as_broken(tmp_path):
    with pytest.raises(ValidationError):
        detect(tmp_path, b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R")
