"""PAdES with pyHanko: the signer's signature at approval, number, date and the agency's signature
at issue (one incremental revision the first signature's DocMDP permits), and validation.

Pure functions over bytes: no Django model in here. Appearances follow Decree 30, Appendix I:
the signer's image between position and name, the seal over the left third of it; without an
image a text box says who signed and when.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import MDPPerm, SigFieldSpec

from docflow.documents.signing.appearance import (
    ITALIC,
    REGULAR,
    image_page,
    imported,
    text_page,
)
from docflow.rendering.form_fields import DATE_FIELD, NUMBER_FIELD, SIGNATURE_SLOT

PERSONAL_FIELD = "chu_ky_ca_nhan"
AGENCY_FIELD = "chu_ky_co_quan"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
SEAL_SIZE = 34 * 72 / 25.4  # a People's Committee seal is about 34 mm across, printed true size
SEAL_LEFT = 0.4  # the seal's right edge, as a share of the slot's width
ATTACHMENT_BOX = (200.0, 30.0)  # width, height in pt of the attachment signature's text
MM = 72 / 25.4
EXTERNAL_RESERVED = 24 * 1024  # hex digits kept for an external CMS (a chain of a few certificates)


class SigningError(ValueError):
    """The PDF cannot take the signature (no prepared field, locked, damaged): the reason."""


@dataclass(frozen=True)
class Appearance:
    """What the signature shows: an image (PNG bytes) or, without one, a labelled text box."""

    label: str  # the signer's or the agency's name
    image_png: bytes | None = None


def vietnam_time(moment: datetime.datetime) -> str:
    """ISO 8601 in Vietnam time, to the second (Appendix I)."""
    return moment.astimezone(VIETNAM).replace(microsecond=0).isoformat()


def _appearance(appearance: Appearance, width: float, height: float, when: datetime.datetime,
                *, left: float = 0):
    """The image, or a framed text box (right of ``left``, where the seal does not cover it)."""
    if appearance.image_png:
        return imported(image_page(width, height, appearance.image_png))
    lines = [f"Ký bởi: {appearance.label}", f"Thời gian ký: {vietnam_time(when)}"]
    return imported(text_page(width, height, lines, size=9 if left else 7.5, border=True, left=left))


def _find_field(reader, name: str):
    form = reader.root["/AcroForm"] if "/AcroForm" in reader.root else None
    for ref in (form.raw_get("/Fields").get_object() if form and "/Fields" in form else []):
        field = ref.get_object()
        if str(field.get("/T", "")) == name:
            return ref, field
    raise SigningError(f"no field {name!r} in the PDF")


def _field_place(reader, name: str) -> tuple[int, tuple[float, float, float, float]]:
    """The page index and rectangle of a field's widget."""
    _ref, field = _find_field(reader, name)
    page_ref = field.raw_get("/P") if "/P" in field else None
    rect = tuple(float(v) for v in field["/Rect"])
    pages = int(reader.root["/Pages"]["/Count"])
    for index in range(pages):
        ref, _res = reader.find_page_for_modification(index)
        if page_ref is not None and ref.idnum == page_ref.idnum:
            return index, rect
    return 0, rect


def _metadata(field: str, *, certify: bool) -> signers.PdfSignatureMetadata:
    return signers.PdfSignatureMetadata(
        field_name=field, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        certify=certify, docmdp_permissions=MDPPerm.FILL_FORMS,
    )


def _sign(writer, *, signer: signers.Signer, field: str, page: int | None, box, style,
          certify: bool, timestamper=None) -> bytes:
    pdf_signer = signers.PdfSigner(
        _metadata(field, certify=certify), signer=signer, stamp_style=style, timestamper=timestamper,
        new_field_spec=None if box is None else SigFieldSpec(field, on_page=page, box=_rounded(box)),
    )
    return pdf_signer.sign_pdf(
        writer, existing_fields_only=box is None,
    ).getvalue()


def _rounded(box) -> tuple[float, ...]:
    return tuple(round(v, 2) for v in box)


def personal_box(reader) -> tuple[int, tuple[float, float, float, float]]:
    return _field_place(reader, SIGNATURE_SLOT)


def sign_approved(pdf: bytes, *, signer: signers.Signer, appearance: Appearance,
                  when: datetime.datetime, timestamper=None) -> bytes:
    """The final approver's signature, certifying with form filling allowed (number, date and
    the agency's signature come later), placed in the slot between position and name."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page, box = personal_box(writer.prev)
    # A certified document may not gain new visible fields: the seal's field is made now, empty.
    fields.append_signature_field(writer, SigFieldSpec(AGENCY_FIELD, on_page=page, box=_rounded(seal_box(box))))
    width = box[2] - box[0]
    style = _appearance(appearance, width, box[3] - box[1], when, left=SEAL_LEFT * width)
    return _sign(writer, signer=signer, field=PERSONAL_FIELD, page=page, box=box, style=style,
                 certify=True, timestamper=timestamper)


def _fill(writer, name: str, value: str, *, font: str, size: float) -> None:
    """Set a prepared text field's value and draw its appearance with our Vietnamese font."""
    ref, _old = _find_field(writer.prev, name)
    field = writer.get_object(ref.reference)
    x1, y1, x2, y2 = (float(v) for v in field["/Rect"])
    width, height = x2 - x1, y2 - y1
    content = imported(text_page(width, height, [value], font=font, size=size)).create_stamp(
        writer, box=layout.BoxConstraints(width=width, height=height), text_params={},
    )
    field["/V"] = generic.TextStringObject(value)
    field["/AP"] = generic.DictionaryObject({generic.NameObject("/N"): content.register()})
    writer.mark_update(ref)


def seal_box(personal: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The seal's square: its right edge at 40 % of the slot, so it covers the left third of a
    signature image centred in the slot, and centred on the slot's height."""
    x1, y1, x2, y2 = personal
    right, middle = x1 + SEAL_LEFT * (x2 - x1), (y1 + y2) / 2
    return right - SEAL_SIZE, middle - SEAL_SIZE / 2, right, middle + SEAL_SIZE / 2


def sign_issued(pdf: bytes, *, number_line: str, date_line: str, signer: signers.Signer,
                appearance: Appearance, when: datetime.datetime, timestamper=None) -> bytes:
    """Fill the number and date fields and add the agency's signature, in one revision."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    _fill(writer, NUMBER_FIELD, number_line, font=REGULAR, size=13)
    _fill(writer, DATE_FIELD, date_line, font=ITALIC, size=14)
    _ref, field = _find_field(writer.prev, AGENCY_FIELD)
    x1, y1, x2, y2 = (float(v) for v in field["/Rect"])
    style = _appearance(appearance, x2 - x1, y2 - y1, when)
    return _sign(writer, signer=signer, field=AGENCY_FIELD, page=None, box=None, style=style,
                 certify=False, timestamper=timestamper)


def sign_attachment(pdf: bytes, *, notation: str, signer: signers.Signer,
                    when: datetime.datetime, timestamper=None) -> bytes:
    """The agency's signature at the top right of page 1: notation and Vietnam time, Times 10."""
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    except Exception as exc:  # pyHanko raises several types for unreadable input
        raise SigningError(f"unreadable PDF ({type(exc).__name__})") from None
    if writer.prev.encrypted:
        raise SigningError("the PDF is encrypted")
    _ref, _res = writer.prev.find_page_for_modification(0)
    x1, y1, x2, y2 = (float(v) for v in _ref.get_object()["/MediaBox"])
    width, height = ATTACHMENT_BOX
    box = (x2 - 15 * MM - width, y2 - 10 * MM - height, x2 - 15 * MM, y2 - 10 * MM)
    style = imported(text_page(width, height, [notation, vietnam_time(when)], size=10, align="right"))
    field = f"{AGENCY_FIELD}_{len(writer.prev.embedded_signatures) + 1}"
    return _sign(writer, signer=signer, field=field, page=0, box=box, style=style, certify=False,
                 timestamper=timestamper)


@dataclass(frozen=True)
class Prepared:
    """A PDF with room for a signature computed elsewhere, and the digest to sign."""

    pdf: bytes
    digest: bytes
    start: int
    end: int
    md_algorithm: str = "sha256"


def prepare_approved_external(pdf: bytes, *, certificate, appearance: Appearance,
                              when: datetime.datetime) -> Prepared:
    """The approver's signature prepared for an external signer (interrupted signing): the
    same field, appearance and certification as ``sign_approved``, the CMS to come."""
    import asyncio

    from pyhanko_certvalidator.registry import SimpleCertificateStore

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page, box = personal_box(writer.prev)
    fields.append_signature_field(writer, SigFieldSpec(AGENCY_FIELD, on_page=page, box=_rounded(seal_box(box))))
    width = box[2] - box[0]
    external = signers.ExternalSigner(
        signing_cert=certificate, cert_registry=SimpleCertificateStore.from_certs([certificate]),
        signature_value=bytes(512),
    )
    pdf_signer = signers.PdfSigner(
        _metadata(PERSONAL_FIELD, certify=True), signer=external,
        stamp_style=_appearance(appearance, width, box[3] - box[1], when, left=SEAL_LEFT * width),
        new_field_spec=SigFieldSpec(PERSONAL_FIELD, on_page=page, box=_rounded(box)),
    )
    digest, _tbs, output = asyncio.run(pdf_signer.async_digest_doc_for_signing(writer, bytes_reserved=EXTERNAL_RESERVED))
    return Prepared(pdf=output.getvalue(), digest=digest.document_digest,
                    start=digest.reserved_region_start, end=digest.reserved_region_end)


def finish_external(prepared: Prepared, cms_der: bytes) -> bytes:
    """Embed a CMS SignedData computed elsewhere into the prepared PDF (SigningError if it
    does not fit or is not CMS)."""
    from asn1crypto import cms
    from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
    from pyhanko.sign.signers.pdf_signer import PdfTBSDocument

    try:
        content = cms.ContentInfo.load(cms_der)
        content.native  # parse fully now: a bad structure must fail here, not half-written
    except ValueError:
        raise SigningError("not a CMS SignedData structure") from None
    if len(cms_der) * 2 > prepared.end - prepared.start - 2:
        raise SigningError("the signature is larger than the room prepared for it")
    output = io.BytesIO(prepared.pdf)
    PdfTBSDocument.finish_signing(output, PreparedByteRangeDigest(
        document_digest=prepared.digest, reserved_region_start=prepared.start,
        reserved_region_end=prepared.end), content)
    return output.getvalue()
