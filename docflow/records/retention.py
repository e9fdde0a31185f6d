"""The agency's retention table (bảng thời hạn bảo quản), seeded with common entries.

The seed follows the usual groups of Thông tư 10/2022/TT-BNV (thời hạn bảo quản tài liệu);
the agency admin adds to it and changes it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from docflow.audit.services import event_record
from docflow.records.models import RetentionRule
from docflow.records.permissions import require_retention_keeper
from docflow.tenancy.models import Membership
from docflow.core.scoping import agency_scope
from docflow.core.services import service

COMMON_RULES: tuple[tuple[str, str, int | None], ...] = (
    ("1.1", "Văn bản chỉ đạo, quy định chung của cơ quan (quy chế, quy định)", None),
    ("1.2", "Hồ sơ xây dựng, ban hành chương trình, kế hoạch, báo cáo công tác năm", None),
    ("1.3", "Kế hoạch, báo cáo công tác tháng, quý, 6 tháng", 10),
    ("1.4", "Hồ sơ hội nghị tổng kết năm của cơ quan", None),
    ("1.5", "Hồ sơ hội nghị, hội thảo chuyên đề", 20),
    ("2.1", "Hồ sơ tổ chức bộ máy, thành lập, giải thể, sáp nhập", None),
    ("2.2", "Hồ sơ tuyển dụng, bổ nhiệm, khen thưởng, kỷ luật cán bộ", 70),
    ("2.3", "Hồ sơ thi đua, khen thưởng hằng năm", 20),
    ("3.1", "Hồ sơ thanh tra, kiểm tra vụ việc quan trọng", None),
    ("3.2", "Hồ sơ giải quyết khiếu nại, tố cáo", 15),
    ("4.1", "Báo cáo quyết toán ngân sách năm", None),
    ("4.2", "Chứng từ kế toán, sổ kế toán chi tiết", 10),
    ("5.1", "Sổ đăng ký văn bản đi, văn bản đến", 20),
    ("5.2", "Công văn trao đổi về công việc chung", 10),
    ("5.3", "Giấy mời, thông báo, văn bản gửi để biết", 5),
)


def retention_rules_seed(*, agency_id: int) -> int:
    """Add the common rules the agency's table does not have yet; returns how many. Idempotent."""
    with agency_scope(agency_id):
        have = set(RetentionRule.objects.values_list("code", flat=True))
        rows = [RetentionRule(agency_id=agency_id, code=code, name=name, years=years)
                for code, name, years in COMMON_RULES if code not in have]
        RetentionRule.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def retention_rules(*, agency_id: int) -> QuerySet[RetentionRule]:
    """The agency's table, seeded on first read so every agency starts with the common lines."""
    with agency_scope(agency_id):
        if not RetentionRule.objects.exists():
            retention_rules_seed(agency_id=agency_id)
        return RetentionRule.objects.order_by("code")


@service
def retention_rule_save(*, actor: Membership, code: str, name: str, years: int | None) -> RetentionRule:
    """Add or change one line of the table (agency admin); audited."""
    require_retention_keeper(actor)
    if not code.strip():
        raise ValidationError({"code": ["Cần số thứ tự của nhóm."]})
    if not name.strip():
        raise ValidationError({"name": ["Cần tên nhóm hồ sơ, tài liệu."]})
    if years is not None and not 1 <= years <= 100:
        raise ValidationError({"years": ["Thời hạn từ 1 đến 100 năm, hoặc vĩnh viễn."]})
    if not RetentionRule.objects.exists():  # the common lines first, so the admin adds to them
        retention_rules_seed(agency_id=actor.agency_id)
    rule, _created = RetentionRule.objects.update_or_create(
        agency_id=actor.agency_id, code=code.strip(), defaults={"name": name.strip(), "years": years},
    )
    event_record(agency_id=actor.agency_id, action="retention_rule.saved", object_type="retention_rule",
                 object_id=rule.id, data={"code": rule.code, "years": years})
    return rule
