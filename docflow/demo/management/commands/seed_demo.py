"""Create the demo agencies, people and four weeks of their work. Running it twice changes nothing."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from docflow.demo.papers import EXTERNAL
from docflow.demo.seed import demo_seed


class Command(BaseCommand):
    help = ("Tạo dữ liệu mẫu: tỉnh Sơn La, huyện Bắc Yên, Phù Yên và các xã, người dùng mẫu "
            "và bốn tuần văn bản đi, đến.")

    def handle(self, *args, **options):
        if settings.DOCFLOW_ENV == "production":
            raise CommandError("seed_demo refuses to create demo users in production (DOCFLOW_ENV).")
        # Each of the story's hundreds of in-process tasks would log a line: keep the output readable.
        trace = logging.getLogger("celery.app.trace")
        level = trace.level
        trace.setLevel(logging.WARNING)
        try:
            result = demo_seed(password=settings.DOCFLOW_DEMO_PASSWORD)
        finally:
            trace.setLevel(level)
        out = self.stdout.write
        out(self.style.SUCCESS(f"Dữ liệu mẫu: {result.agencies} cơ quan."))
        if result.story == "told":
            out(self.style.SUCCESS(f"Đã tạo {result.documents} văn bản của bốn tuần làm việc."))
            out(f"Khóa API liên thông của {EXTERNAL['name']} ({EXTERNAL['code']}), chỉ hiện một lần: "
                f"{result.exchange_key}")
        elif result.story == "already":
            out("Văn bản mẫu đã có từ lần chạy trước: không thêm gì.")
        else:
            out(self.style.WARNING("Huyện Bắc Yên đã có văn bản không phải của dữ liệu mẫu: không thêm văn bản mẫu."))
