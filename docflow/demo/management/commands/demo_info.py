"""Print where to open the demo and every demo login, grouped by agency, with its roles."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.core.management.base import BaseCommand

from docflow.tenancy.demo import SUPERUSER, demo_agencies
from docflow.tenancy.models import Membership, Role
from docflow.core.scoping import cross_agency


class Command(BaseCommand):
    help = "In địa chỉ và tài khoản đăng nhập của bản chạy thử."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="", help="địa chỉ in ra (mặc định DOCFLOW_SITE_URL)")

    def handle(self, *args, url, **options):
        url = (url or settings.DOCFLOW_SITE_URL).rstrip("/") + "/"
        password = settings.DOCFLOW_DEMO_PASSWORD
        agencies = demo_agencies()
        with cross_agency("system"):
            members = defaultdict(list)
            for m in (
                Membership.objects.filter(agency__code__in=[a.code for a in agencies], is_active=True)
                .select_related("user", "agency").order_by("user__username")
            ):
                members[m.agency.code].append(m)
        out = self.stdout.write
        out("")
        out(f"Docflow đang chạy tại: {url}")
        out(f"  Giao diện API: {url}api/docs/   Quản trị hệ thống: {url}admin/ ({SUPERUSER})")
        out(f"Mật khẩu của mọi tài khoản mẫu: {password}")
        out("Bốn tuần làm việc mẫu diễn ra ở huyện Bắc Yên: bắt đầu với bacyen_clerk, bacyen_leader hoặc bacyen_staff.")
        labels = dict(Role.choices)
        for demo in agencies:
            out("")
            out(f"{demo.name} ({demo.code})")
            for m in members.get(demo.code, []):
                roles = ", ".join(str(labels[r]).lower() for r in m.roles)
                out(f"  {m.user.username:24} {roles:18} {m.user.get_full_name()}")
        out("")
