"""What the demo's documents say: type, subject and body of each, by story key.

Subjects follow how offices write them (a công văn's subject starts "V/v" only in print, so it
is typed without it); bodies are short but real: one line is one paragraph in the PDF.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from docflow.rendering.registers import render_register_pdf
from docflow.rendering.typeface import BOLD, REGULAR, compose, ensure_fonts, render_lock


@dataclass(frozen=True)
class Paper:
    doc_type: str
    subject: str
    body: str

    def filled(self, dates: dict[str, str]) -> Paper:
        """The paper with the story's year and dates put in (``{year}``, ``{meeting_day}``…)."""
        return Paper(self.doc_type, self.subject.format(**dates), self.body.format(**dates))


PAPERS = {
    # Sơn La province to its districts.
    "sonla_harvest": Paper("cong_van", "Triển khai các giải pháp bảo đảm thu hoạch và tiêu thụ nông sản vụ mùa năm {year}", """\
Thực hiện chỉ đạo của Bộ Nông nghiệp và Môi trường về sản xuất vụ mùa năm {year}, để bảo đảm thu hoạch nhanh, gọn, giảm thiệt hại do mưa bão cuối vụ, Ủy ban nhân dân tỉnh yêu cầu Ủy ban nhân dân các huyện:
1. Chỉ đạo các xã, thị trấn huy động nhân lực, máy gặt đập liên hợp, thu hoạch lúa mùa khi lúa chín 85-90%, hoàn thành trước ngày {harvest_done}.
2. Phối hợp với các hợp tác xã, doanh nghiệp thu mua để tiêu thụ mận, ngô, sắn và các nông sản chủ lực; không để ùn ứ, ép giá.
3. Báo cáo kết quả thực hiện về Ủy ban nhân dân tỉnh (qua Sở Nông nghiệp và Môi trường) trước ngày {report_due}."""),
    "sonla_archive": Paper("cong_van", "Thu thập hồ sơ, tài liệu vào Lưu trữ lịch sử tỉnh năm {year}", """\
Thực hiện Luật Lưu trữ năm 2024, Ủy ban nhân dân tỉnh đề nghị Ủy ban nhân dân các huyện rà soát, chỉnh lý và lập danh mục hồ sơ, tài liệu thuộc diện nộp lưu vào Lưu trữ lịch sử tỉnh giai đoạn {archive_years}.
Danh mục gửi về Sở Nội vụ trước ngày giao nộp để thống nhất kế hoạch tiếp nhận."""),
    "sonla_training": Paper("giay_moi", "Dự Hội nghị tập huấn nghiệp vụ văn thư, lưu trữ và quản lý văn bản điện tử năm {year}", """\
Ủy ban nhân dân tỉnh tổ chức Hội nghị tập huấn nghiệp vụ văn thư, lưu trữ và quản lý văn bản điện tử năm {year}.
Thành phần: công chức văn thư của Ủy ban nhân dân các huyện.
Địa điểm: Hội trường Sở Nội vụ tỉnh Sơn La, thành phố Sơn La.
Đề nghị các cơ quan cử người tham dự và gửi danh sách về Sở Nội vụ trước ngày tổ chức."""),
    "sonla_plan": Paper("quyet_dinh", "Giao chỉ tiêu kế hoạch phát triển kinh tế - xã hội và dự toán ngân sách nhà nước năm {next}", """\
Căn cứ Luật Tổ chức chính quyền địa phương năm 2025;
Căn cứ Luật Ngân sách nhà nước năm 2025;
Căn cứ Nghị quyết của Hội đồng nhân dân tỉnh về kế hoạch phát triển kinh tế - xã hội năm {next};
Theo đề nghị của Giám đốc Sở Tài chính.
Điều 1. Giao chỉ tiêu kế hoạch phát triển kinh tế - xã hội và dự toán ngân sách nhà nước năm {next} cho Ủy ban nhân dân các huyện (chi tiết theo các phụ lục kèm theo).
Điều 2. Ủy ban nhân dân các huyện giao chỉ tiêu cho các xã, thị trấn trước ngày 31/12/{year}.
Điều 3. Quyết định này có hiệu lực kể từ ngày ký."""),
    # Bắc Yên district.
    "harvest": Paper("cong_van", "Đẩy nhanh tiến độ thu hoạch lúa mùa và triển khai sản xuất vụ đông năm {year}-{next}", """\
Thực hiện Công văn của Ủy ban nhân dân tỉnh về bảo đảm thu hoạch và tiêu thụ nông sản vụ mùa năm {year}, Ủy ban nhân dân huyện yêu cầu Ủy ban nhân dân các xã, thị trấn:
1. Huy động lực lượng thu hoạch lúa mùa theo phương châm "xanh nhà hơn già đồng", hoàn thành trước ngày {harvest_done}.
2. Làm đất, gieo trồng ngô, khoai tây và rau màu vụ đông ngay sau thu hoạch; ưu tiên các bản vùng thấp có nước tưới.
3. Tổng hợp kết quả theo biểu đính kèm, báo cáo về Ủy ban nhân dân huyện (qua Văn phòng HĐND và UBND huyện) đúng hạn."""),
    "decision": Paper("quyet_dinh", "Thành lập Tổ công tác hỗ trợ thu hoạch, tiêu thụ mận và nông sản vụ mùa năm {year}", """\
Căn cứ Luật Tổ chức chính quyền địa phương năm 2025;
Căn cứ Công văn của Ủy ban nhân dân tỉnh về bảo đảm thu hoạch và tiêu thụ nông sản vụ mùa năm {year};
Xét đề nghị của Chánh Văn phòng HĐND và UBND huyện.
Điều 1. Thành lập Tổ công tác hỗ trợ thu hoạch, tiêu thụ mận và nông sản vụ mùa năm {year} gồm đại diện Văn phòng HĐND và UBND huyện, Phòng Tài chính - Kế hoạch và Ủy ban nhân dân các xã Tà Xùa, Hồng Ngài, Phiêng Ban.
Điều 2. Tổ công tác làm việc với các hợp tác xã, doanh nghiệp thu mua; kết thúc nhiệm vụ khi hoàn thành tiêu thụ nông sản vụ mùa.
Điều 3. Chánh Văn phòng HĐND và UBND huyện, Trưởng phòng Tài chính - Kế hoạch, Chủ tịch Ủy ban nhân dân các xã có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này."""),
    "meeting": Paper("giay_moi", "Dự Hội nghị sơ kết sản xuất vụ mùa, triển khai kế hoạch sản xuất vụ đông năm {year}", """\
Ủy ban nhân dân huyện tổ chức Hội nghị sơ kết sản xuất vụ mùa, triển khai kế hoạch sản xuất vụ đông năm {year}.
Thời gian: 08 giờ 00 phút, {meeting_day}.
Địa điểm: Hội trường Ủy ban nhân dân huyện Bắc Yên.
Thành phần: Chủ tịch hoặc Phó Chủ tịch Ủy ban nhân dân các xã, thị trấn và công chức phụ trách nông nghiệp."""),
    "meeting2": Paper("giay_moi", "Dự Hội nghị sơ kết sản xuất vụ mùa, triển khai kế hoạch sản xuất vụ đông năm {year} (thay thế Giấy mời đã thu hồi)", """\
Ủy ban nhân dân huyện tổ chức lại Hội nghị sơ kết sản xuất vụ mùa, triển khai kế hoạch sản xuất vụ đông năm {year} do thay đổi thời gian.
Thời gian: 08 giờ 00 phút, {meeting2_day}.
Địa điểm: Hội trường Ủy ban nhân dân huyện Bắc Yên.
Thành phần: như Giấy mời đã gửi."""),
    "interim_report": Paper("bao_cao", "Tình hình thu hoạch và tiêu thụ nông sản vụ mùa năm {year} (báo cáo nhanh)", """\
I. KẾT QUẢ THỰC HIỆN
1. Đến nay toàn huyện đã thu hoạch 1.850 ha lúa mùa, đạt 72% diện tích; năng suất ước 48 tạ/ha.
2. Tiêu thụ mận hậu vụ và ngô hạt ổn định, giá bình quân cao hơn cùng kỳ 5-8%.
II. KHÓ KHĂN, KIẾN NGHỊ
Mưa lớn cục bộ làm đổ, ngập khoảng 35 ha lúa tại các xã vùng thấp; đề nghị tỉnh hỗ trợ giống cây trồng vụ đông cho các hộ bị thiệt hại."""),
    "monthly_report": Paper("bao_cao", "Kết quả thu hoạch vụ mùa và tiến độ gieo trồng vụ đông năm {year}", """\
I. KẾT QUẢ THU HOẠCH VỤ MÙA
Toàn huyện thu hoạch xong 2.560 ha lúa mùa, năng suất bình quân 49,2 tạ/ha, sản lượng đạt 12.595 tấn.
II. TIẾN ĐỘ GIEO TRỒNG VỤ ĐÔNG
Đã gieo trồng 640/900 ha cây vụ đông, đạt 71% kế hoạch; các xã vùng cao đang làm đất.
III. NHIỆM VỤ THỜI GIAN TỚI
Chỉ đạo hoàn thành gieo trồng vụ đông trước ngày {winter_done}; chủ động phòng, chống đói, rét cho vật nuôi."""),
    "flood_request": Paper("to_trinh", "Đề nghị hỗ trợ kinh phí khắc phục thiệt hại do mưa lũ ngày {flood_day}", """\
Trận mưa lũ ngày {flood_day} gây sạt lở 4,2 km đường giao thông nông thôn, hư hỏng 3 công trình thủy lợi nhỏ tại các xã Song Pe, Hang Chú, Xím Vàng.
Ủy ban nhân dân huyện Bắc Yên kính đề nghị Ủy ban nhân dân tỉnh xem xét, hỗ trợ 3.200 triệu đồng từ nguồn dự phòng ngân sách tỉnh để khắc phục."""),
    "fire": Paper("cong_van", "Tăng cường công tác phòng cháy, chữa cháy rừng mùa khô năm {year}-{next}", """\
Mùa khô năm {year}-{next} được dự báo kéo dài, nguy cơ cháy rừng ở cấp IV, cấp V tại nhiều khu vực.
Ủy ban nhân dân huyện yêu cầu Ủy ban nhân dân các xã, thị trấn kiện toàn Ban chỉ huy phòng cháy, chữa cháy rừng, tổ chức trực 24/24 giờ trong những ngày nắng nóng và quản lý chặt việc đốt nương."""),
    "survey_reply": Paper("cong_van", "Báo cáo số liệu diện tích gieo trồng vụ đông năm {year}", """\
Thực hiện đề nghị của Sở Nông nghiệp và Môi trường, Ủy ban nhân dân huyện Bắc Yên báo cáo số liệu diện tích gieo trồng vụ đông năm {year} như sau:
Diện tích kế hoạch 900 ha; đã gieo trồng 410 ha, trong đó ngô 260 ha, khoai tây 40 ha, rau màu các loại 110 ha.
Số liệu chi tiết từng xã theo biểu đính kèm."""),
    # Communes to the district.
    "phiengban_report": Paper("bao_cao", "Kết quả thu hoạch lúa mùa năm {year} trên địa bàn xã Phiêng Ban", """\
Đến ngày báo cáo, xã đã thu hoạch 215/215 ha lúa mùa, đạt 100% kế hoạch; năng suất bình quân 50 tạ/ha.
Đã làm đất 60 ha để gieo trồng ngô và rau màu vụ đông."""),
    "taxua_request": Paper("to_trinh", "Đề nghị hỗ trợ giống cây trồng vụ đông cho các hộ bị thiệt hại do mưa lũ", """\
Mưa lũ ngày {flood_day} làm thiệt hại 12 ha lúa của 46 hộ tại các bản Tà Xùa, Bẹ, Háng Đồng B.
Ủy ban nhân dân xã Tà Xùa kính đề nghị Ủy ban nhân dân huyện hỗ trợ 1,5 tấn ngô giống và 300 kg hạt giống rau để các hộ gieo trồng vụ đông."""),
    "songpe_report": Paper("bao_cao", "Tình hình thiệt hại do sạt lở đất tại bản Pe, xã Song Pe", """\
Đêm ngày {landslide_day}, mưa lớn gây sạt lở taluy dương tuyến đường vào bản Pe, ách tắc giao thông khoảng 120 m.
Không có thiệt hại về người; xã đã huy động 40 lượt người và 01 máy xúc khắc phục tạm thời. Đề nghị huyện hỗ trợ kinh phí xử lý dứt điểm."""),
}

# The external agency (Sở Nông nghiệp và Môi trường) sends through the exchange API.
EXTERNAL = {
    "code": "000.00.09.H52",
    "name": "Sở Nông nghiệp và Môi trường tỉnh Sơn La",
}
EXTERNAL_PAPERS = {
    "ext_survey": {
        "number": 1180, "notation": "1180/SNNMT-TTBVTV", "doc_type": "cong_van", "urgency": "urgent",
        "subject": "V/v báo cáo số liệu diện tích gieo trồng vụ đông năm {year}",
        "content": "Để tổng hợp báo cáo Ủy ban nhân dân tỉnh, Sở Nông nghiệp và Môi trường đề nghị Ủy ban nhân dân các huyện báo cáo số liệu diện tích gieo trồng vụ đông năm {year} theo biểu mẫu đính kèm.",
        "signer": {"full_name": "Lò Thị Hoa", "position": "Phó Giám đốc"},
    },
    "ext_cold": {
        "number": 1245, "notation": "1245/SNNMT-CNTY", "doc_type": "cong_van", "urgency": "urgent",
        "subject": "V/v chủ động phòng, chống đói, rét cho cây trồng, vật nuôi vụ Đông Xuân {year}-{next}",
        "content": "Theo dự báo, trong những tuần tới các đợt không khí lạnh tăng cường, nhiệt độ vùng cao có thể xuống dưới 5°C. Sở Nông nghiệp và Môi trường đề nghị Ủy ban nhân dân các huyện chỉ đạo các xã hướng dẫn người dân dự trữ thức ăn, che chắn chuồng trại, không thả rông gia súc; báo cáo kết quả triển khai về Sở.",
        "signer": {"full_name": "Hoàng Văn Tuấn", "position": "Giám đốc"},
    },
}


def appendix_pdf(title: str, year: int, rows: list[tuple[str, ...]]) -> bytes:
    """A small appendix table (biểu tổng hợp) per commune, drawn with the registers' layout."""
    columns = ["STT", "Đơn vị", "Kế hoạch (ha)", "Đã thực hiện (ha)", "Ghi chú"]
    return render_register_pdf(title, year, columns, [(str(i), *row) for i, row in enumerate(rows, 1)])


def letter_pdf(*, sender: str, notation: str, subject: str, content: str, signer: dict) -> bytes:
    """The external agency's letter as its system would send it: a one-page PDF."""
    ensure_fonts()
    centre = ParagraphStyle("centre", fontName=BOLD, fontSize=13, leading=17, alignment=TA_CENTER)
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=14, leading=20, alignment=TA_JUSTIFY,
                          firstLineIndent=10 * mm, spaceAfter=6)
    right = ParagraphStyle("right", parent=centre, leftIndent=90 * mm)
    story = [
        Paragraph(escape(compose(sender.upper())), centre),
        Paragraph(escape(compose(f"Số: {notation}")), ParagraphStyle("n", parent=centre, fontName=REGULAR)),
        Spacer(1, 6 * mm), Paragraph(escape(compose(subject)), centre), Spacer(1, 6 * mm),
        *(Paragraph(escape(compose(line)), body) for line in content.splitlines() if line.strip()),
        Spacer(1, 10 * mm), Paragraph(escape(compose(signer["position"].upper())), right),
        Spacer(1, 18 * mm), Paragraph(escape(compose(signer["full_name"])), right),
    ]
    out = io.BytesIO()
    with render_lock:
        SimpleDocTemplate(out, pagesize=A4, leftMargin=30 * mm, rightMargin=20 * mm,
                          topMargin=20 * mm, bottomMargin=20 * mm, title=notation).build(story)
    return out.getvalue()
