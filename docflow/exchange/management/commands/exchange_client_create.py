"""Register an external agency for the exchange API and print its new key (last line)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from docflow.exchange.clients import exchange_client_create
from docflow.tenancy.models import AgencyLevel


class Command(BaseCommand):
    help = "Tạo (hoặc cập nhật) cơ quan ngoài hệ thống và cấp một khóa API mới."

    def add_arguments(self, parser):
        parser.add_argument("--code", required=True, help="Mã định danh, ví dụ 000.00.00.G12")
        parser.add_argument("--name", required=True, help="Tên cơ quan")
        parser.add_argument("--webhook", default="", help="URL nhận webhook (đẩy văn bản, trạng thái)")
        parser.add_argument("--level", default=AgencyLevel.DEPARTMENT, choices=AgencyLevel.values)
        parser.add_argument("--allow-unsigned", action="store_true",
                            help="Hệ thống cũ chưa ký được yêu cầu: cho phép gửi không ký (không chống gửi lặp lại)")

    def handle(self, *args, code, name, webhook, level, allow_unsigned, **options):
        try:
            issued = exchange_client_create(code=code, name=name, webhook_url=webhook, level=level,
                                            allow_unsigned=allow_unsigned)
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
        agency = issued.client.external_agency
        self.stdout.write(f"Cơ quan: {agency.code} {agency.name}")
        self.stdout.write(f"Tiền tố khóa: {issued.client.key_prefix}")
        if allow_unsigned:
            self.stdout.write("Cảnh báo: khóa này được gửi yêu cầu không ký (hệ thống cũ).")
        self.stdout.write(f"Khóa ký webhook (chỉ hiện một lần): {issued.signing_secret}")
        self.stdout.write("Khóa API (chỉ hiện một lần), dòng cuối:")
        self.stdout.write(issued.key)
