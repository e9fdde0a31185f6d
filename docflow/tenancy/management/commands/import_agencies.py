"""Import the agency directory from CSV (onboarding a province): every line checked first."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from docflow.tenancy.directory_import import DirectoryInvalid, directory_check, directory_import


class Command(BaseCommand):
    help = ("Nhập danh mục cơ quan từ tệp CSV (code,name,kind,parent_code,symbol…): kiểm tra mọi "
            "dòng trước, có lỗi thì không ghi gì; nhập lại cùng tệp không thay đổi gì.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp CSV, mã hóa UTF-8")
        parser.add_argument("--check", action="store_true", help="Chỉ kiểm tra, không ghi")

    def handle(self, *args, file, check, **options):
        try:
            text = Path(file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Không đọc được tệp {file}: {exc}") from None
        if check:
            plan = directory_check(text=text)
            self._errors(plan.errors)
            self.stdout.write(f"Hợp lệ: {len(plan.created)} cơ quan mới, {len(plan.updated)} cơ quan cập nhật, "
                              f"{len(plan.new_people)} người dùng mới.")
            return
        try:
            result = directory_import(text=text)
        except DirectoryInvalid as exc:
            self._errors(exc.errors)
        for login in result.logins:
            self.stdout.write(f"{login.agency_code} {login.username} ({login.role}): {login.url}")
        self.stdout.write(f"{result.created} created {result.updated} updated")

    def _errors(self, errors) -> None:
        if errors:
            for error in errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(errors)} lỗi: không ghi gì.")
