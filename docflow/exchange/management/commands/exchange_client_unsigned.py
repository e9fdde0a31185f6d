"""Let a legacy external system write without signing its requests, or stop that (the operator's choice)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from docflow.exchange.clients import exchange_client_unsigned_set


class Command(BaseCommand):
    help = "Cho phép (--allow) hoặc thôi cho phép (--refuse) khóa của cơ quan ngoài gửi yêu cầu ghi không ký."

    def add_arguments(self, parser):
        parser.add_argument("--code", required=True, help="Mã định danh của cơ quan ngoài")
        parser.add_argument("--key-prefix", default="", help="Chỉ khóa có tiền tố này")
        choice = parser.add_mutually_exclusive_group(required=True)
        choice.add_argument("--allow", action="store_true")
        choice.add_argument("--refuse", action="store_true")

    def handle(self, *args, code, key_prefix, allow, refuse, **options):
        changed = exchange_client_unsigned_set(code=code, key_prefix=key_prefix, allow=allow)
        if not changed:
            raise CommandError(f"Không có khóa đang dùng nào của {code} cần thay đổi.")
        self.stdout.write(f"{changed} khóa của {code}: " + ("được gửi không ký." if allow else "phải ký mọi yêu cầu ghi."))
