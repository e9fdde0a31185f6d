"""Bắc Yên's work files (hồ sơ) in the demo: on the story's last morning the clerk opens two
files of the year's list, the handlers file what they handled and write a note, and the
harvest file, whose work has ended, is closed. Told through the records services only."""

from __future__ import annotations

from docflow.demo.office import Office
from docflow.records.services import work_file_close, work_file_document_add, work_file_note_add, work_file_open

HARVEST_FILE = ("01.VP", "Hồ sơ chỉ đạo thu hoạch lúa mùa năm {year}", 10)
WINTER_FILE = ("02.TCKH", "Hồ sơ phòng, chống đói, rét cho vật nuôi và gieo trồng vụ đông năm {year}", 20)


def tell_files(office: Office, *, year: int) -> None:
    at = office.clock.at
    clerk = office.member("bacyen_clerk")
    with at(0, "08:20"):
        harvest = _open(clerk, HARVEST_FILE, year=year, unit="VP", keeper="bacyen_staff")
        winter = _open(clerk, WINTER_FILE, year=year, unit="TCKH", keeper="bacyen_staff2")
    with at(0, "08:40"):
        staff = office.member("bacyen_staff")
        _file(office, staff, harvest, incoming="sonla_harvest")
        _file(office, staff, harvest, outgoing="harvest")
        _file(office, staff, harvest, outgoing="interim_report")
        work_file_note_add(actor=staff, file_id=harvest.pk, note=(
            "Các xã đã gửi biểu tổng hợp về Văn phòng; số liệu đã đưa vào báo cáo của huyện gửi tỉnh."))
    with at(0, "08:55"):
        staff2 = office.member("bacyen_staff2")
        _file(office, staff2, winter, incoming="ext_survey")
        _file(office, staff2, winter, outgoing="survey_reply")
        _file(office, staff2, winter, incoming="ext_cold")
        work_file_note_add(actor=staff2, file_id=winter.pk, note=(
            "Còn chờ kết quả triển khai phòng, chống đói, rét của 5 xã; hồ sơ tiếp tục được bổ sung."))
    with at(0, "09:10"):
        work_file_close(actor=clerk, file_id=harvest.pk,
                        note="Công việc chỉ đạo thu hoạch lúa mùa đã kết thúc; hồ sơ đủ văn bản.")


def _open(clerk, spec: tuple[str, str, int], *, year: int, unit: str, keeper: str):
    code, title, years = spec
    return work_file_open(actor=clerk, year=year, code=code, title=title.format(year=year), retention=years,
                          unit=unit, responsible=keeper)


def _file(office: Office, member, work_file, *, incoming: str = "", outgoing: str = "") -> None:
    if incoming:
        work_file_document_add(actor=member, file_id=work_file.pk, incoming_id=office.copy_id(incoming, member))
    else:
        work_file_document_add(actor=member, file_id=work_file.pk, outgoing_id=office.documents[outgoing])
