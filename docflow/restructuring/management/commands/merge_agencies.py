"""Merge agencies into the one named by --into (sắp xếp đơn vị hành chính), an existing agency or,
with --new-name and --new-kind, a new one created in the same transaction; --dry-run writes nothing."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from docflow.restructuring.merging import MEMBERSHIP_CHOICES, agencies_merge, merger_plan

# The new successor's fields: the directory file's columns.
NEW_OPTIONS = (
    ("--new-name", "name", "Tên cơ quan tiếp nhận mới"),
    ("--new-kind", "kind", "Loại: province, district, commune, ward, special_zone, department, other"),
    ("--new-parent", "parent_code", "Mã cơ quan cấp trên"),
    ("--new-symbol", "symbol", "Ký hiệu (mặc định UBND cho Ủy ban nhân dân)"),
    ("--new-short-name", "short_name", "Tên viết tắt trên văn bản"),
    ("--new-place", "place", "Địa danh"),
)


class Command(BaseCommand):
    help = ("Sáp nhập các cơ quan vào cơ quan --into: văn bản đang xử lý, dự thảo, hồ sơ đang lập và "
            "người dùng chuyển sang; sổ cũ khóa lại; mã cũ vẫn nhận văn bản.")

    def add_arguments(self, parser):
        parser.add_argument("--into", required=True, metavar="CODE", help="Mã cơ quan tiếp nhận")
        parser.add_argument("codes", nargs="+", metavar="CODE", help="Mã các cơ quan sáp nhập vào")
        parser.add_argument("--date", default="", help="Ngày sáp nhập YYYY-MM-DD (mặc định hôm nay)")
        parser.add_argument("--memberships", choices=MEMBERSHIP_CHOICES, default="move",
                            help="move: chuyển người dùng sang; end: kết thúc")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ in những gì sẽ chuyển, không ghi")
        new = parser.add_argument_group("cơ quan tiếp nhận mới (--into là mã của nó)")
        for option, column, text in NEW_OPTIONS:
            new.add_argument(option, dest=column, default=None, help=text)

    def handle(self, *args, into, codes, date, memberships, dry_run, **options):
        try:
            on = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError("--date: ngày phải có dạng YYYY-MM-DD.") from None
        given = {column: options[column] for _option, column, _text in NEW_OPTIONS if options[column] is not None}
        run = merger_plan if dry_run else agencies_merge
        try:
            plan = run(successor_code=into, predecessor_codes=codes, on=on, memberships=memberships,
                       new_successor=given or None)
        except ValidationError as exc:
            option = {column: option for option, column, _text in NEW_OPTIONS} | {"code": "--into"}
            raise CommandError("; ".join(f"{option.get(k, k)}: {' '.join(v)}"
                                         for k, v in exc.message_dict.items())) from None
        for line in plan.report():
            self.stdout.write(line)
        self.stdout.write("Chạy thử: không ghi gì." if dry_run else "Đã sáp nhập.")
