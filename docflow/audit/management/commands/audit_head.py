"""Each agency's chain head at the end of a day (CSV or JSON), to anchor outside the system."""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from docflow.audit.selectors import chain_heads_on
from docflow.core.csv_safe import csv_writer

FIELDS = ["agency_id", "agency_code", "date", "sequence", "hash"]


class Command(BaseCommand):
    help = "Xuất mã băm đầu chuỗi nhật ký của mỗi cơ quan vào cuối một ngày (CSV hoặc JSON) để lưu ra ngoài."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Ngày, dạng YYYY-MM-DD (mặc định: hôm nay)")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")

    def handle(self, *args, date=None, format="csv", **options):
        day = self._day(date)
        heads = chain_heads_on(day=day)
        if format == "json":
            self.stdout.write(json.dumps(heads, ensure_ascii=False, indent=1))
            return
        writer = csv_writer(self.stdout, lineterminator="\n")
        writer.writerow(FIELDS)
        writer.writerows([head[f] for f in FIELDS] for head in heads)

    @staticmethod
    def _day(raw: str | None):
        if not raw:
            return timezone.localdate()
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise CommandError("--date phải có dạng YYYY-MM-DD.") from None
