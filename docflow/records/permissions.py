"""Who may do what with files and transfers (Decree 30 Art. 28–31 roles)."""

from __future__ import annotations

from docflow.core.errors import NotPermitted
from docflow.records.models import WorkFile
from docflow.tenancy.models import Membership, Role

# Keep the year's list and open files: the clerk, the archivist and leaders.
LIST_KEEPERS = (Role.CLERK, Role.ARCHIVIST, Role.LEADER)
# Hand closed files to the archive.
TRANSFER_ROLES = (Role.CLERK, Role.ARCHIVIST)


def require_list_keeper(member: Membership) -> None:
    if not member.has_role(*LIST_KEEPERS):
        raise NotPermitted("Chỉ văn thư, lưu trữ hoặc lãnh đạo được lập danh mục và mở hồ sơ.")


def require_transfer_role(member: Membership) -> None:
    if not member.has_role(*TRANSFER_ROLES):
        raise NotPermitted("Chỉ văn thư hoặc lưu trữ được nộp lưu hồ sơ.")


def require_retention_keeper(member: Membership) -> None:
    if not member.has_role(Role.AGENCY_ADMIN):
        raise NotPermitted("Chỉ quản trị đơn vị được sửa bảng thời hạn bảo quản.")


def may_close(member: Membership, work_file: WorkFile) -> bool:
    return work_file.responsible_id == member.user_id or member.has_role(*TRANSFER_ROLES)


def require_closer(member: Membership, work_file: WorkFile) -> None:
    if not may_close(member, work_file):
        raise NotPermitted("Chỉ người lập hồ sơ, văn thư hoặc lưu trữ được kết thúc hồ sơ.")


def require_reopener(member: Membership) -> None:
    if not member.has_role(Role.AGENCY_ADMIN):
        raise NotPermitted("Chỉ quản trị đơn vị được mở lại hồ sơ đã kết thúc.")
