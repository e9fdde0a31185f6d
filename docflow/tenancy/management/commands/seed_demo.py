"""Create the demo agencies, units and users. Running it twice changes nothing."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from docflow.tenancy.demo import ROLE_PEOPLE, demo_agencies
from docflow.tenancy.models import User
from docflow.tenancy.services import agency_upsert, member_upsert, unit_upsert


class Command(BaseCommand):
    help = "Tạo dữ liệu mẫu: tỉnh Sơn La, huyện Bắc Yên, Phù Yên và các xã, với người dùng mẫu."

    def handle(self, *args, **options):
        if settings.DOCFLOW_ENV == "production":
            raise CommandError("seed_demo refuses to create demo users in production (DOCFLOW_ENV).")
        password = settings.DOCFLOW_DEMO_PASSWORD
        # One hash for all demo users: hashing 70 passwords one by one takes most of a minute.
        password_hash = make_password(password)
        with transaction.atomic():
            agencies = {}
            for demo in demo_agencies():
                agency, _ = agency_upsert(
                    code=demo.code, name=demo.name, level=demo.level, short_name=demo.short_name,
                    parent=agencies.get(demo.parent_code), place=demo.place,
                )
                agencies[demo.code] = agency
                units = {sym: unit_upsert(agency=agency, symbol=sym, name=n)[0] for sym, n in demo.units}
                for role, (position, person) in ROLE_PEOPLE.items():
                    member_upsert(
                        agency=agency, username=f"{demo.slug}_{role}", full_name=person,
                        password=None, password_hash=password_hash, roles=[role], position=position,
                        unit=units["VP"] if role in ("staff", "clerk") else None,
                        email=f"{demo.slug}_{role}@demo.docflow.local",
                    )
            if not User.objects.filter(username="admin").exists():
                User.objects.create_superuser("admin", "admin@demo.docflow.local", password,
                                              full_name="Quản trị hệ thống")
        self.stdout.write(self.style.SUCCESS(f"Dữ liệu mẫu: {len(agencies)} cơ quan."))
        from docflow.signing.demo import demo_signing_seed  # signing sits above tenancy: called, not imported at load

        self.stdout.write(f"Khóa ký số mẫu (Docflow DEMO CA): {demo_signing_seed()} khóa mới.")
