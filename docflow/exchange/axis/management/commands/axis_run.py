"""Run the axis connector now, for the operator: a directory sync and/or a poll, and say what happened."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from docflow.exchange.axis.services import axis_directory_sync, axis_enabled, axis_poll


class Command(BaseCommand):
    help = "Chạy ngay kết nối trục liên thông: đồng bộ danh bạ cơ quan (--sync) và/hoặc nhận gói tin (--poll)."

    def add_arguments(self, parser):
        parser.add_argument("--sync", action="store_true", help="Đồng bộ danh sách cơ quan trên trục")
        parser.add_argument("--poll", action="store_true", help="Nhận các gói tin đang chờ trên trục")

    def handle(self, *args, sync: bool, poll: bool, **options):
        if not (sync or poll):
            raise CommandError("Chọn ít nhất một việc: --sync, --poll.")
        if not axis_enabled():
            raise CommandError(
                "Chưa cấu hình trục liên thông (DOCFLOW_AXIS_URL, DOCFLOW_AXIS_SYSTEM_ID, DOCFLOW_AXIS_SECRET).")
        if sync:
            done = axis_directory_sync()
            self.stdout.write(f"Danh bạ: {done.created} cơ quan mới, {done.renamed} đổi tên, {done.skipped} bỏ qua.")
        if poll:
            done = axis_poll()
            self.stdout.write(f"Nhận gói tin: {done.received} đã nhận, {done.duplicates} trùng, "
                              f"{done.failed} bị từ chối, {done.unavailable} chưa lấy được (trục không trả lời).")
