"""Bắc Yên's work files (hồ sơ) in the demo: on the story's last morning the clerk opens two
files of the year's list, the handlers file what they handled and write a note, and the
harvest file, whose work has ended, is closed. Told through the records services only."""

from __future__ import annotations

from dataclasses import dataclass

from docflow.demo.office import Office
from docflow.records.services import work_file_close, work_file_document_add, work_file_note_add, work_file_open


@dataclass(frozen=True)
class DemoFile:
    code: str
    title: str  # ``{year}`` is filled in
    retention: int
    unit: str
    keeper: str
    documents: tuple[tuple[str, str], ...]  # ("incoming" | "outgoing", story key), in order
    note: str
    hhmm: str  # when the keeper files them, on the last morning


FILES = (
    DemoFile("01.VP", "Hồ sơ chỉ đạo thu hoạch lúa mùa năm {year}", 10, "VP", "bacyen_staff",
             (("incoming", "sonla_harvest"), ("outgoing", "harvest"), ("outgoing", "interim_report")),
             "Các xã đã gửi biểu tổng hợp về Văn phòng; số liệu đã đưa vào báo cáo của huyện gửi tỉnh.", "08:40"),
    DemoFile("02.TCKH", "Hồ sơ phòng, chống đói, rét cho vật nuôi và gieo trồng vụ đông năm {year}", 20, "TCKH",
             "bacyen_staff2", (("incoming", "ext_survey"), ("outgoing", "survey_reply"), ("incoming", "ext_cold")),
             "Còn chờ kết quả triển khai phòng, chống đói, rét của 5 xã; hồ sơ tiếp tục được bổ sung.", "08:55"),
)
CLOSED = ("01.VP", "Công việc chỉ đạo thu hoạch lúa mùa đã kết thúc; hồ sơ đủ văn bản.")


def tell_files(office: Office, *, year: int) -> None:
    at, clerk = office.clock.at, office.member("bacyen_clerk")
    with at(0, "08:20"):
        opened = {spec.code: work_file_open(actor=clerk, year=year, code=spec.code, retention=spec.retention,
                                            title=spec.title.format(year=year), unit=spec.unit,
                                            responsible=spec.keeper) for spec in FILES}
    for spec in FILES:
        keeper, file_id = office.member(spec.keeper), opened[spec.code].pk
        with at(0, spec.hhmm):
            for kind, key in spec.documents:
                ids = ({"incoming_id": office.copy_id(key, keeper)} if kind == "incoming"
                       else {"outgoing_id": office.documents[key]})
                work_file_document_add(actor=keeper, file_id=file_id, **ids)
            work_file_note_add(actor=keeper, file_id=file_id, note=spec.note)
    with at(0, "09:10"):
        work_file_close(actor=clerk, file_id=opened[CLOSED[0]].pk, note=CLOSED[1])
