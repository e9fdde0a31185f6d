"""Rebuild the oversight's monthly rollup of the past months now (beat does it nightly)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from docflow.reports.oversight import MAX_TREND_MONTHS
from docflow.reports.oversight_rollup import ROLLUP_MONTHS, oversight_rollup_rebuild


class Command(BaseCommand):
    help = "Tính lại số liệu theo dõi đơn vị cấp dưới của các tháng đã qua (hằng đêm beat tự chạy)."

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=ROLLUP_MONTHS,
                            help=f"Số tháng đã qua cần tính lại (mặc định {ROLLUP_MONTHS})")

    def handle(self, *args, months, **options):
        if not 1 <= months <= MAX_TREND_MONTHS:
            raise CommandError(f"--months: từ 1 đến {MAX_TREND_MONTHS}.")
        written = oversight_rollup_rebuild(months=months)
        self.stdout.write(f"Đã ghi {written} dòng số liệu ({months} tháng).")
