"""Revoke an external agency's API keys."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from docflow.exchange.clients import exchange_client_revoke


class Command(BaseCommand):
    help = "Thu hồi khóa API của một cơ quan ngoài hệ thống."

    def add_arguments(self, parser):
        parser.add_argument("--code", required=True)
        parser.add_argument("--prefix", default="", help="Chỉ thu hồi khóa có tiền tố này")

    def handle(self, *args, code, prefix, **options):
        revoked = exchange_client_revoke(code=code, key_prefix=prefix)
        if not revoked:
            raise CommandError(f"Không có khóa đang dùng nào của {code}.")
        self.stdout.write(f"Đã thu hồi {revoked} khóa của {code}.")
