"""Print where to open the demo and how to log in."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from docflow.tenancy.demo import demo_agencies


class Command(BaseCommand):
    help = "In địa chỉ và tài khoản đăng nhập của bản chạy thử."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args, url, **options):
        password = settings.DOCFLOW_DEMO_PASSWORD
        agencies = demo_agencies()
        out = self.stdout.write
        out("")
        out(f"Docflow đang chạy tại: {url}")
        out(f"  Giao diện API: {url}api/docs/   Quản trị hệ thống: {url}admin/ (admin / {password})")
        out(f"Mật khẩu của mọi tài khoản mẫu: {password}")
        out("Tài khoản mẫu (<tên>_clerk: văn thư, <tên>_leader: lãnh đạo, <tên>_staff: chuyên viên):")
        for demo in agencies[:4]:
            out(f"  {demo.name:45} {demo.slug}_clerk  {demo.slug}_leader  {demo.slug}_staff")
        out(f"  … và {len(agencies) - 4} cơ quan khác: " + ", ".join(d.slug for d in agencies[4:]))
        out("")
