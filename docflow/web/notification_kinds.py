"""Names people read for notification kinds and audit actions (preferences page, timelines),
and the one place that turns what a notification or an event is about into a web page.

Purely presentational: an unknown code is shown as it is, an unknown object has no page.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

KIND_LABELS = {
    "incoming_delivered": _("Văn bản đến mới"),
    "incoming_to_assign": _("Văn bản đến chờ phân công"),
    "incoming_assigned": _("Được giao xử lý văn bản đến"),
    "incoming_opinion": _("Ý kiến phối hợp"),
    "incoming_completed": _("Văn bản đến đã hoàn thành xử lý"),
    "incoming_recall": _("Yêu cầu thu hồi văn bản đến"),
    "incoming_due_tomorrow": _("Văn bản đến đến hạn xử lý ngày mai"),
    "incoming_overdue": _("Văn bản đến quá hạn xử lý"),
    "outgoing.to_approve": _("Văn bản đi chờ duyệt"),
    "outgoing.approved": _("Văn bản đi đã ký duyệt"),
    "outgoing.returned": _("Văn bản đi bị trả lại"),
    "outgoing.issued": _("Văn bản đi đã phát hành"),
    "delivery_status": _("Nơi nhận báo trạng thái văn bản đi"),
    "statistics_report": _("Báo cáo thống kê đã sẵn sàng"),
}

ACTION_LABELS = {
    "outgoing.created": _("Tạo dự thảo"),
    "outgoing.updated": _("Sửa dự thảo"),
    "outgoing.attachment_added": _("Đính kèm tệp"),
    "outgoing.submitted": _("Trình ký"),
    "outgoing.step_approved": _("Duyệt một bước"),
    "outgoing.approved": _("Ký duyệt"),
    "outgoing.returned": _("Trả lại dự thảo"),
    "outgoing.issued": _("Phát hành"),
    "outgoing.recall_requested": _("Yêu cầu thu hồi"),
    "outgoing.deleted": _("Xóa dự thảo"),
    "delivery.status": _("Nơi nhận báo trạng thái"),
    "incoming.delivered": _("Văn bản đến"),
    "incoming.accept": _("Tiếp nhận, vào sổ"),
    "incoming.reject": _("Từ chối"),
    "incoming.assign": _("Phân công xử lý"),
    "incoming.forward": _("Chuyển xử lý"),
    "incoming.progress": _("Báo cáo tiến độ"),
    "incoming.opinion": _("Ý kiến phối hợp"),
    "incoming.complete": _("Hoàn thành xử lý"),
    "incoming.reply_drafted": _("Soạn văn bản trả lời"),
    "incoming.recall_requested": _("Nơi gửi yêu cầu thu hồi"),
    "incoming.recall_accept": _("Đồng ý thu hồi"),
    "incoming.recall_refuse": _("Từ chối thu hồi"),
    "incoming.settings_update": _("Đổi cài đặt xử lý"),
    "incoming.register": _("Vào sổ văn bản đến giấy"),
    "incoming.scan_added": _("Đính kèm bản quét"),
    "incoming.ocr_done": _("Nhận dạng chữ bản quét (OCR)"),
    "outgoing.signed_scan": _("Phát hành bản ký tay (bản quét)"),
    "approval_chain.set": _("Đổi quy trình duyệt"),
    "membership.saved": _("Cập nhật người dùng"),
}

# object type → (URL name, its id argument)
OBJECT_PAGES = {
    "incoming_document": ("web:incoming-detail", "incoming_id"),
    "outgoing_document": ("web:outgoing-detail", "document_id"),
    "statistics_report": ("web:statistics-report-download", "report_id"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def object_link(object_type: str, object_id) -> str:
    """The page of the object (a copy, a document, a report), or "" when it has none."""
    page = OBJECT_PAGES.get(object_type)
    if page is None or object_id is None:
        return ""
    name, argument = page
    try:
        return reverse(name, kwargs={argument: object_id})
    except NoReverseMatch:  # an id that is not a UUID: no page to show
        return ""


def notification_link(notification) -> str:
    """Where a notification leads: the page of what it is about."""
    return object_link(notification.object_type, notification.object_id)
