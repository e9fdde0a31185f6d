"""factory-boy factories. Tenant rows are created outside any scope on purpose (tests arrange)."""

from __future__ import annotations

import factory

from docflow.core.scoping import cross_agency
from docflow.tenancy.models import Agency, AgencyLevel, Membership, Unit, User


class ScopeFreeFactory(factory.django.DjangoModelFactory):
    """Creates rows with scopes disabled: arranging data is not a tenant query."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with cross_agency("system"):
            return super()._create(model_class, *args, **kwargs)


class AgencyFactory(ScopeFreeFactory):
    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"{n % 1000:03d}.{(n // 1000) % 100:02d}.99.H52")
    name = factory.Sequence(lambda n: f"Ủy ban nhân dân xã Thử Nghiệm {n}")
    short_name = factory.LazyAttribute(lambda o: o.name.replace("Ủy ban nhân dân", "UBND").upper())
    symbol = "UBND"
    level = AgencyLevel.COMMUNE
    place = "Bắc Yên"


class UnitFactory(ScopeFreeFactory):
    class Meta:
        model = Unit

    agency = factory.SubFactory(AgencyFactory)
    name = "Văn phòng"
    symbol = "VP"


class UserFactory(ScopeFreeFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.test")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(ScopeFreeFactory):
    class Meta:
        model = Membership

    agency = factory.SubFactory(AgencyFactory)
    user = factory.SubFactory(UserFactory)
    position = "Chuyên viên"

    class Params:
        clerk = factory.Trait(is_clerk=True, position="Văn thư")
        leader = factory.Trait(is_leader=True, position="Chủ tịch")
        staff = factory.Trait(is_staff_member=True)
        admin = factory.Trait(is_agency_admin=True)
        archivist = factory.Trait(is_archivist=True, position="Lưu trữ")


# --- documents: outgoing drafts, registers, attachments -----------------------------------------
# Arranging rows directly; tests that tell a story change state through the services instead
# (tests/documents/story.py).

class RegisterFactory(ScopeFreeFactory):
    class Meta:
        model = "documents.Register"

    agency = factory.SubFactory(AgencyFactory)
    direction = "outgoing"
    series = factory.Sequence(lambda n: f"series{n}")
    name = factory.LazyAttribute(lambda o: f"Sổ {o.series}")


class RegisterCounterFactory(ScopeFreeFactory):
    class Meta:
        model = "documents.RegisterCounter"

    register = factory.SubFactory(RegisterFactory)
    agency = factory.LazyAttribute(lambda o: o.register.agency)
    year = 2026
    last_number = 0


class OutgoingDocumentFactory(ScopeFreeFactory):
    class Meta:
        model = "documents.OutgoingDocument"

    agency = factory.SubFactory(AgencyFactory)
    drafter = factory.LazyAttribute(lambda o: MembershipFactory(agency=o.agency, staff=True).user)
    doc_type = "quyet_dinh"
    subject = factory.Sequence(lambda n: f"Về việc kiện toàn tổ công tác số {n}")
    body = "Căn cứ Luật Tổ chức chính quyền địa phương."


class ApprovalStepFactory(ScopeFreeFactory):
    class Meta:
        model = "documents.ApprovalStep"

    agency = factory.SubFactory(AgencyFactory)
    order = factory.Sequence(lambda n: n + 1)
    label = "Lãnh đạo ký"
    role = "leader"


class AttachmentFactory(ScopeFreeFactory):
    class Meta:
        model = "documents.Attachment"

    document = factory.SubFactory(OutgoingDocumentFactory)
    agency = factory.LazyAttribute(lambda o: o.document.agency)
    name = factory.Sequence(lambda n: f"phu-luc-{n}.pdf")
    file = factory.SubFactory("tests.routing.factories.StoredFileFactory")
    size = factory.LazyAttribute(lambda o: o.file.size)
    content_type = factory.LazyAttribute(lambda o: o.file.content_type)
    uploaded_by = factory.LazyAttribute(lambda o: o.document.drafter)


class DeliveryFactory(ScopeFreeFactory):
    class Meta:
        model = "routing.Delivery"

    document = factory.SubFactory(OutgoingDocumentFactory, state="issued")
    agency = factory.LazyAttribute(lambda o: o.document.agency)
    recipient_agency = factory.SubFactory(AgencyFactory)
    recipient_code = factory.LazyAttribute(lambda o: o.recipient_agency.code)
    recipient_name = factory.LazyAttribute(lambda o: o.recipient_agency.name)


# --- second factor -------------------------------------------------------------------------------

class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    """A confirmed authenticator app; ``totp_now(device)`` is the code it shows."""

    class Meta:
        model = "otp_totp.TOTPDevice"

    user = factory.SubFactory(UserFactory)
    name = "Điện thoại"
    confirmed = True


def totp_now(device, *, drift: int = 0) -> str:
    """The code the device shows now (``drift`` steps later or earlier)."""
    from django_otp.oath import totp

    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return f"{code:0{device.digits}d}"
