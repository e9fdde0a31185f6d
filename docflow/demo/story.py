"""Four weeks in Bắc Yên, told in the order things happened (day 0 is today, -1 the previous
working day). Sơn La province writes to its districts, Bắc Yên to its communes and back, the
Sở Nông nghiệp và Môi trường (outside Docflow) through the exchange API.

What the people leave behind today: drafts (one returned with the leader's comment), a report
waiting for the leader's signature, a replacement invitation signed and waiting to be issued, a
công văn whose 17 recipients stand at every status from 01 to 06, an invitation recalled with
answers (agreed, refused, not yet answered), incoming work overdue, due soon, waiting to be
assigned and just arrived; two work files in Bắc Yên's list, one still open and one closed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from docflow.demo.clock import StoryClock
from docflow.demo.files import tell_files
from docflow.demo.office import Office
from docflow.demo.papers import EXTERNAL_PAPERS, PAPERS, appendix_pdf, letter_pdf
from docflow.exchange.models import ExchangeClient

WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
HARVEST_DONE = ("thitranbacyen", "phiengban", "songpe", "hongngai", "taxua")  # will reach 06
HARVEST_WORKING = ("hangchu", "ximvang", "langcheu", "chiengsai")  # 05
HARVEST_ASSIGNED = ("muongkhoa", "huanhan")  # 04
HARVEST_ACCEPTED = ("takhoa", "pacnga")  # 03
HARVEST_REJECTED = "chimvan"  # 02
HARVEST_UNOPENED = ("phiengcon", "hangdong")  # still 01
COMMUNES = (*HARVEST_DONE, *HARVEST_WORKING, *HARVEST_ASSIGNED, *HARVEST_ACCEPTED,
            HARVEST_REJECTED, *HARVEST_UNOPENED)
MEETING = ("thitranbacyen", "phiengban", "songpe", "hongngai", "taxua", "hangchu", "ximvang", "chiengsai")
DISTRICTS = ("bacyen", "phuyen")


def _date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def story_dates(clock: StoryClock) -> dict[str, str]:
    """The dates the documents' texts mention, placed around the story's days."""
    year = clock.today.year
    meeting, meeting2 = clock.workday(-6), clock.workday(3)
    return {
        "year": str(year), "next": str(year + 1), "archive_years": f"{year - 11}-{year - 6}",
        "harvest_done": _date(clock.workday(-10)), "report_due": _date(clock.workday(-12)),
        "meeting_day": f"{WEEKDAYS[meeting.weekday()]}, ngày {_date(meeting)}",
        "meeting2_day": f"{WEEKDAYS[meeting2.weekday()]}, ngày {_date(meeting2)}",
        "winter_done": _date(clock.workday(10)), "flood_day": _date(clock.workday(-30)),
        "landslide_day": _date(clock.workday(-2)),
    }


class Story:
    def __init__(self, *, office: Office, client: ExchangeClient) -> None:
        self.o, self.clock, self.client = office, office.clock, client
        self._day = 0  # the working day the helpers below act on (``day`` sets it)
        self.dates = story_dates(self.clock)
        year = self.clock.today.year
        self.harvest_sheet = appendix_pdf(
            "Biểu tổng hợp tiến độ thu hoạch lúa mùa và gieo trồng vụ đông", year,
            [("Xã Phiêng Ban", "215", "", ""), ("Xã Song Pe", "180", "", ""), ("Xã Tà Xùa", "190", "", "")],
        )
        self.winter_sheet = appendix_pdf(
            "Biểu số liệu diện tích gieo trồng vụ đông", year,
            [("Ngô", "560", "260", ""), ("Khoai tây", "90", "40", ""), ("Rau màu", "250", "110", "")],
        )

    def write(self, key: str, *, by: str, **kwargs) -> None:
        """A draft of the paper named ``key``, with the story's dates in its text."""
        paper = PAPERS[key].filled(self.dates)
        self.o.draft(key, by=by, **asdict(paper), **kwargs)

    def answer(self, key: str, *, by: str, answers: str, **kwargs) -> None:
        """The paper named ``key`` written as the reply to the incoming ``answers``."""
        paper = PAPERS[key].filled(self.dates)
        self.o.reply(key, by=by, answers=answers, **asdict(paper), **kwargs)

    def through_issue(self, key: str, slug: str, times: tuple[str, str, str]) -> None:
        """The agency's staff drafted ``key`` earlier; it is submitted, signed and issued."""
        submit, approve, issue = times
        day = self._day
        with self.clock.at(day, submit):
            self.o.submit(key, by=f"{slug}_staff")
        with self.clock.at(day, approve):
            self.o.approve(key, by=f"{slug}_leader")
        with self.clock.at(day, issue):
            self.o.issue(key, by=f"{slug}_clerk")

    def received(self, key: str, slugs, hhmm: str) -> None:
        with self.clock.at(self._day, hhmm):
            for slug in slugs:
                self.o.accept(key, by=f"{slug}_clerk")

    def assigned(self, key: str, slugs, hhmm: str, instruction: str, **kwargs) -> None:
        with self.clock.at(self._day, hhmm):
            for slug in slugs:
                self.o.assign(key, by=f"{slug}_leader", lead=f"{slug}_staff", instruction=instruction, **kwargs)

    def day(self, offset: int) -> Story:
        self._day = offset
        return self

    def external(self, key: str, *, issued: int, due: int, recipients, files=()) -> None:
        paper = {k: v.format(**self.dates) if isinstance(v, str) else v for k, v in EXTERNAL_PAPERS[key].items()}
        envelope = {
            **paper, "issued_at": self.clock.workday(issued).isoformat(), "place": "Sơn La",
            "due_date": self.clock.workday(due).isoformat(), "recipients": list(recipients),
        }
        letter = letter_pdf(sender=self.client.external_agency.name, notation=paper["notation"],
                            subject=paper["subject"], content=paper["content"], signer=paper["signer"])
        files = [(f"{paper['notation'].replace('/', '-')}.pdf", letter), *files]
        self.o.receive_external(key, client=self.client, envelope=envelope, files=files)

    def tell(self) -> None:
        """Every chapter, in the order of the days."""
        for chapter in (self.week_one, self.week_two, self.week_three, self.week_four):
            chapter()
        tell_files(self.o, year=self.clock.today.year)  # the last morning: what was handled is filed

    def week_one(self) -> None:
        o, at = self.o, self.clock.at
        self.day(-20)
        with at(-20, "08:20"):
            self.write("sonla_harvest", by="sonla_staff", unit="VP", recipients=DISTRICTS,
                       urgency="urgent", due=-12)
        self.through_issue("sonla_harvest", "sonla", ("09:00", "14:10", "15:30"))
        self.day(-19).received("sonla_harvest", DISTRICTS, "08:10")
        with at(-19, "09:40"):
            o.assign("sonla_harvest", by="bacyen_leader", lead="bacyen_staff", coordinators=["bacyen_staff2"],
                     informed=["bacyen_clerk"], due=-12,
                     instruction="Văn phòng chủ trì tham mưu văn bản chỉ đạo các xã; Phòng TCKH phối hợp đánh giá nhu cầu hỗ trợ giống.")
        self.assigned("sonla_harvest", ["phuyen"], "10:05", "Tham mưu chỉ đạo các xã, báo cáo kết quả đúng hạn.")
        with at(-19, "14:30"):
            self.write("harvest", by="bacyen_staff", unit="VP", recipients=COMMUNES, urgency="urgent",
                       due=-8, attachments=[("Bieu-tong-hop-tien-do-thu-hoach.pdf", self.harvest_sheet)])
        with at(-19, "15:10"):
            o.progress("sonla_harvest", by="bacyen_staff", note="Đã dự thảo công văn chỉ đạo các xã, thị trấn; trình lãnh đạo ký.")
        self.day(-18).through_issue("harvest", "bacyen", ("07:50", "08:15", "09:00"))
        with at(-18, "09:30"):
            o.opinion("sonla_harvest", by="bacyen_staff2",
                      note="Phòng TCKH đề nghị bổ sung đề xuất hỗ trợ giống vụ đông cho các xã bị thiệt hại; nhu cầu khoảng 2 tấn ngô giống.")
        self.received("harvest", (*HARVEST_DONE, *HARVEST_WORKING, *HARVEST_ASSIGNED, *HARVEST_ACCEPTED), "10:00")
        with at(-18, "10:40"):
            o.reject("harvest", by=f"{HARVEST_REJECTED}_clerk",
                     reason="Văn bản nêu biểu tổng hợp số 02 nhưng không kèm theo; đề nghị Văn phòng huyện gửi bổ sung.")
        self.assigned("harvest", (*HARVEST_DONE, *HARVEST_WORKING, *HARVEST_ASSIGNED), "14:00",
                      "Chỉ đạo các bản thu hoạch dứt điểm, tổng hợp theo biểu của huyện.")
        with at(-18, "15:20"):
            o.progress("sonla_harvest", by="phuyen_staff", note="Đã chỉ đạo các xã, thị trấn huy động máy gặt, thu hoạch lúa chín.")
        with at(-17, "08:30"):
            for slug in (*HARVEST_DONE, *HARVEST_WORKING):
                o.progress("harvest", by=f"{slug}_staff", note="Đã họp trưởng bản, phân công cán bộ bám bản đôn đốc thu hoạch.")
        with at(-17, "09:00"):
            self.write("sonla_archive", by="sonla_staff", unit="VP", recipients=DISTRICTS, due=-6)
            self.write("decision", by="bacyen_staff", unit="VP", recipients=("taxua", "hongngai", "phiengban"),
                       external_places=["Các thành viên Tổ công tác"])
        self.day(-17).through_issue("sonla_archive", "sonla", ("10:00", "14:00", "15:00"))
        self.day(-16).through_issue("decision", "bacyen", ("08:00", "08:30", "09:15"))
        self.received("sonla_archive", DISTRICTS, "09:30")
        with at(-16, "09:50"):
            o.assign("sonla_archive", by="bacyen_leader", lead="bacyen_clerk", informed=["bacyen_staff"], due=-6,
                     instruction="Văn thư rà soát, lập danh mục hồ sơ nộp lưu; báo cáo lãnh đạo trước khi gửi Sở Nội vụ.")
        self.received("decision", ("taxua", "hongngai", "phiengban"), "10:00")
        self.assigned("decision", ("taxua", "hongngai", "phiengban"), "14:00", "Cử cán bộ tham gia Tổ công tác.")

    def week_two(self) -> None:
        o, at = self.o, self.clock.at
        with at(-15, "08:40"):
            for slug in ("taxua", "hongngai", "thitranbacyen"):
                o.complete("harvest", by=f"{slug}_staff", note="Đã thu hoạch xong lúa mùa; gửi biểu tổng hợp về Văn phòng huyện.")
            o.progress("decision", by="taxua_staff", note="Đã cử đồng chí Phó Chủ tịch xã tham gia Tổ công tác.")
            o.complete("decision", by="phiengban_staff", note="Đã cử công chức địa chính - nông nghiệp tham gia Tổ công tác.")
        with at(-15, "10:00"):
            o.progress("sonla_archive", by="bacyen_clerk", note="Đã rà soát 126 hồ sơ, đang chỉnh lý và lập danh mục.")
        with at(-14, "08:40"):
            self.external("ext_cold", issued=-15, due=-5, recipients=DISTRICTS)
        self.day(-14).received("ext_cold", DISTRICTS, "09:10")
        with at(-14, "10:30"):
            o.assign("ext_cold", by="bacyen_leader", lead="bacyen_staff", coordinators=["bacyen_staff2"],
                     informed=["bacyen_clerk"], due=-5,
                     instruction="Văn phòng chủ trì hướng dẫn các xã; Phòng TCKH phối hợp dự trù kinh phí.")
            o.complete("harvest", by="songpe_staff", note="Đã thu hoạch 180/180 ha; gieo trồng 25 ha ngô đông.")
        with at(-13, "09:00"):
            self.external("ext_survey", issued=-14, due=-4, recipients=DISTRICTS,
                          files=[("Bieu-mau-so-lieu-vu-dong.pdf", self.winter_sheet)])
        self.day(-13).received("ext_survey", ["bacyen"], "09:20")
        with at(-13, "10:00"):
            o.assign("ext_survey", by="bacyen_leader", lead="bacyen_staff2", coordinators=["bacyen_staff"], due=-4,
                     instruction="Phòng TCKH tổng hợp số liệu các xã, báo cáo Sở đúng hạn.")
            o.progress("ext_cold", by="bacyen_staff", note="Đã dự thảo văn bản hướng dẫn các xã phòng, chống đói, rét cho vật nuôi.")
        with at(-12, "08:30"):
            o.opinion("ext_cold", by="bacyen_staff2", note="Đề nghị bổ sung dự trù kinh phí mua hóa chất khử trùng chuồng trại.")
            self.answer("interim_report", by="bacyen_staff", answers="sonla_harvest")
            self.answer("phiengban_report", by="phiengban_staff", answers="harvest")
        self.day(-12).through_issue("interim_report", "bacyen", ("09:00", "14:00", "15:00"))
        self.through_issue("phiengban_report", "phiengban", ("15:10", "15:40", "16:10"))
        with at(-11, "08:15"):
            o.complete("sonla_harvest", by="bacyen_staff", reply="interim_report",
                       note="Đã ban hành công văn chỉ đạo các xã và gửi báo cáo nhanh về UBND tỉnh.")
            o.complete("harvest", by="phiengban_staff", reply="phiengban_report",
                       note="Đã báo cáo kết quả thu hoạch bằng văn bản gửi UBND huyện.")
        self.day(-11).received("phiengban_report", ["bacyen"], "08:45")
        self.received("interim_report", ["sonla"], "09:00")
        self.assigned("interim_report", ["sonla"], "10:00", "Tổng hợp vào báo cáo chung của tỉnh.")
        with at(-11, "10:30"):
            o.assign("phiengban_report", by="bacyen_leader", lead="bacyen_staff", instruction="Tổng hợp vào báo cáo của huyện.")
        with at(-10, "08:30"):
            self.write("meeting", by="bacyen_staff", unit="VP", recipients=MEETING)
            o.progress("interim_report", by="sonla_staff", note="Đã tổng hợp số liệu của huyện Bắc Yên.")
        self.day(-10).through_issue("meeting", "bacyen", ("09:00", "10:30", "14:00"))

    def week_three(self) -> None:
        o, at = self.o, self.clock.at
        self.day(-9).received("meeting", MEETING[:6], "08:30")
        with at(-8, "10:00"):
            o.recall("meeting", by="bacyen_leader",
                     reason="Thay đổi thời gian tổ chức hội nghị do trùng lịch họp của Huyện ủy; UBND huyện sẽ gửi giấy mời thay thế.")
        with at(-7, "08:30"):
            for slug in ("thitranbacyen", "phiengban", "songpe", "hongngai", "ximvang"):
                o.answer_recall("meeting", by=f"{slug}_clerk", accept=True)
            o.answer_recall("meeting", by="taxua_clerk", accept=False,
                            reason="Xã đã thông báo lịch họp cho các bản; đề nghị huyện gửi giấy mời thay thế trước khi thu hồi.")
        with at(-7, "09:30"):
            self.write("meeting2", by="bacyen_staff", unit="VP", recipients=MEETING, replaces="meeting")
            o.progress("ext_cold", by="bacyen_staff", note="Đã gửi hướng dẫn đến 17 xã, thị trấn; đang tổng hợp kết quả triển khai.")
        with at(-6, "09:00"):
            o.progress("ext_survey", by="bacyen_staff2", note="Đã nhận số liệu của 12/17 xã, thị trấn.")
            o.complete("phiengban_report", by="bacyen_staff", note="Đã tổng hợp vào báo cáo chung của huyện.")
        with at(-5, "09:00"):
            self.answer("survey_reply", by="bacyen_staff2", answers="ext_survey",
                        attachments=[("Bieu-so-lieu-vu-dong-Bac-Yen.pdf", self.winter_sheet)])
            o.submit("survey_reply", by="bacyen_staff2")

    def week_four(self) -> None:
        o, at = self.o, self.clock.at
        with at(-4, "08:30"):
            self.write("flood_request", by="bacyen_staff2", unit="TCKH", recipients=["sonla"], urgency="urgent")
            o.submit("flood_request", by="bacyen_staff2")
            o.approve("survey_reply", by="bacyen_leader")
        with at(-4, "10:00"):
            o.issue("survey_reply", by="bacyen_clerk")
        with at(-4, "10:30"):
            o.complete("ext_survey", by="bacyen_staff2", reply="survey_reply", note="Đã báo cáo Sở bằng văn bản kèm biểu số liệu.")
        with at(-3, "08:30"):
            o.send_back("flood_request", by="bacyen_leader",
                        comment="Bổ sung bảng tổng hợp thiệt hại theo từng xã, đối chiếu số liệu với báo cáo của Ban Chỉ huy phòng, chống thiên tai huyện.")
            self.write("taxua_request", by="taxua_staff", unit="VP", recipients=["bacyen"])
            o.submit("meeting2", by="bacyen_staff")
        self.day(-3).through_issue("taxua_request", "taxua", ("09:00", "10:00", "14:00"))
        with at(-2, "08:30"):
            self.write("sonla_training", by="sonla_staff", unit="VP", recipients=DISTRICTS)
            self.write("fire", by="bacyen_staff", unit="VP", recipients=COMMUNES)
        self.day(-2).received("taxua_request", ["bacyen"], "08:45")
        with at(-2, "09:30"):
            o.assign("taxua_request", by="bacyen_leader", lead="bacyen_staff2", coordinators=["bacyen_staff"], due=2,
                     instruction="Phòng TCKH đề xuất phương án hỗ trợ giống; Văn phòng phối hợp.")
        self.through_issue("sonla_training", "sonla", ("10:00", "11:00", "14:00"))
        with at(-2, "15:00"):
            o.opinion("taxua_request", by="bacyen_staff", note="Văn phòng thống nhất; đề nghị ưu tiên các hộ tại bản Háng Đồng B.")
        with at(-2, "16:45"):
            o.everyone_reads_notifications()  # what arrives afterwards is still unread
        with at(-1, "08:15"):
            o.approve("meeting2", by="bacyen_leader")
            self.write("songpe_report", by="songpe_staff", unit="VP", recipients=["bacyen"], urgency="urgent")
            self.write("sonla_plan", by="sonla_staff", unit="VP", recipients=DISTRICTS)
        self.day(-1).received("sonla_training", ["bacyen"], "08:40")
        with at(-1, "09:00"):
            # Next working day: at most 3 calendar days ahead (Friday → Monday), so "due soon"
            # (3 days by default) on any weekday; two working days from a Thursday are 4.
            o.assign("sonla_training", by="bacyen_leader", lead="bacyen_clerk", due=1,
                     instruction="Đồng chí văn thư tham dự tập huấn và báo cáo lại nội dung.")
        self.through_issue("songpe_report", "songpe", ("09:30", "10:30", "14:00"))
        self.through_issue("sonla_plan", "sonla", ("14:20", "15:00", "16:30"))
        with at(-1, "16:40"):
            self.write("monthly_report", by="bacyen_staff", unit="VP", recipients=["sonla"])
            o.submit("monthly_report", by="bacyen_staff")
        self.day(0).received("songpe_report", ["bacyen"], "07:50")
        self.received("sonla_plan", ["phuyen"], "08:00")
