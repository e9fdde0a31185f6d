"""Check every agency's audit chain; exit non-zero naming the first broken event."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from docflow.audit.chain import Broken
from docflow.audit.selectors import chain_verify


class Command(BaseCommand):
    help = "Kiểm tra chuỗi băm nhật ký của mọi cơ quan; lỗi (mã thoát khác 0) nêu sự kiện hỏng đầu tiên."

    def add_arguments(self, parser):
        parser.add_argument("--agency", type=int, action="append", help="Chỉ cơ quan có mã số (id) này")

    def handle(self, *args, agency=None, **options):
        try:
            checked = chain_verify(agency_ids=agency)
        except Broken as broken:
            raise CommandError(
                f"Chuỗi nhật ký hỏng: cơ quan {broken.agency_id}, sự kiện #{broken.sequence} "
                f"(id {broken.event_id}): {broken.reason}"
            ) from None
        self.stdout.write(f"Chuỗi nhật ký nguyên vẹn: {len(checked)} cơ quan, {sum(checked.values())} sự kiện.")
