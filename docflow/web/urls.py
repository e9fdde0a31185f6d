from django.urls import path
from django.views.i18n import set_language

from docflow.web.views import (
    account,
    agency_admin,
    dashboard,
    incoming,
    intake,
    notifications,
    outgoing,
    outgoing_steps,
    registers,
    search,
    statistics,
)

app_name = "web"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("dang-nhap/", account.LoginView.as_view(), name="login"),
    path("dang-xuat/", account.LogoutView.as_view(), name="logout"),
    path("co-quan/", account.switch_agency, name="switch-agency"),
    path("ngon-ngu/", set_language, name="set-language"),
    # Incoming
    path("van-ban-den/", incoming.incoming_list_page, name="incoming-list"),
    path("van-ban-den/vao-so/", intake.intake_page, name="incoming-intake"),
    path("van-ban-den/vao-so/<uuid:scan_id>/tien-do/", intake.intake_scan_progress, name="incoming-intake-progress"),
    path("van-ban-den/<uuid:incoming_id>/", incoming.incoming_detail_page, name="incoming-detail"),
    path("van-ban-den/<uuid:incoming_id>/tep/<uuid:attachment_id>/", incoming.incoming_file, name="incoming-file"),
    path("van-ban-den/<uuid:incoming_id>/tiep-nhan/", incoming.incoming_accept, name="incoming-accept"),
    path("van-ban-den/<uuid:incoming_id>/tu-choi/", incoming.incoming_reject, name="incoming-reject"),
    path("van-ban-den/<uuid:incoming_id>/phan-cong/", incoming.incoming_assign, name="incoming-assign"),
    path("van-ban-den/<uuid:incoming_id>/tien-do/", incoming.incoming_progress, name="incoming-progress"),
    path("van-ban-den/<uuid:incoming_id>/y-kien/", incoming.incoming_opinion, name="incoming-opinion"),
    path("van-ban-den/<uuid:incoming_id>/chuyen/", incoming.incoming_forward, name="incoming-forward"),
    path("van-ban-den/<uuid:incoming_id>/hoan-thanh/", incoming.incoming_complete, name="incoming-complete"),
    path("van-ban-den/<uuid:incoming_id>/thu-hoi/", incoming.incoming_recall, name="incoming-recall"),
    path("van-ban-den/<uuid:incoming_id>/tra-loi/", incoming.incoming_reply, name="incoming-reply"),
    # Outgoing
    path("van-ban-di/", outgoing.outgoing_list_page, name="outgoing-list"),
    path("van-ban-di/soan/", outgoing.compose_page, name="outgoing-compose"),
    path("van-ban-di/cho-duyet/", outgoing.approvals_page, name="outgoing-approvals"),
    path("van-ban-di/cho-phat-hanh/", outgoing.to_issue_page, name="outgoing-to-issue"),
    path("van-ban-di/danh-ba/", outgoing.directory_results, name="outgoing-directory"),
    path("van-ban-di/<uuid:document_id>/", outgoing.detail_page, name="outgoing-detail"),
    path("van-ban-di/<uuid:document_id>/sua/", outgoing.edit_page, name="outgoing-edit"),
    path("van-ban-di/<uuid:document_id>/noi-nhan/", outgoing.tracking_fragment, name="outgoing-tracking"),
    path("van-ban-di/<uuid:document_id>/tep/<uuid:attachment_id>/", outgoing.file_download, name="outgoing-file"),
    path("van-ban-di/<uuid:document_id>/pdf/", outgoing.pdf_download, name="outgoing-pdf"),
    path("van-ban-di/<uuid:document_id>/dinh-kem/", outgoing_steps.attach, name="outgoing-attach"),
    path("van-ban-di/<uuid:document_id>/trinh-ky/", outgoing_steps.submit, name="outgoing-submit"),
    path("van-ban-di/<uuid:document_id>/duyet/", outgoing_steps.approve, name="outgoing-approve"),
    path("van-ban-di/<uuid:document_id>/tra-lai/", outgoing_steps.return_, name="outgoing-return"),
    path("van-ban-di/<uuid:document_id>/phat-hanh/", outgoing_steps.issue_page, name="outgoing-issue"),
    path("van-ban-di/<uuid:document_id>/xoa/", outgoing_steps.delete, name="outgoing-delete"),
    path("van-ban-di/<uuid:document_id>/thu-hoi/", outgoing_steps.recall, name="outgoing-recall"),
    # Registers
    path("so-van-ban/", registers.registers_page, name="registers"),
    path("so-van-ban/<uuid:register_id>/<int:year>.<str:fmt>", registers.register_export, name="register-export"),
    # Search and statistics
    path("tim-kiem/", search.search_page, name="search"),
    path("thong-ke/", statistics.statistics_page, name="statistics"),
    path("thong-ke/xuat/<str:which>.csv", statistics.statistics_export, name="statistics-export"),
    path("thong-ke/bao-cao/", statistics.report_request, name="statistics-report"),
    path("thong-ke/bao-cao/<uuid:report_id>/", statistics.report_download, name="statistics-report-download"),
    # Notifications
    path("thong-bao/", notifications.notification_list, name="notifications"),
    path("thong-bao/chuong/", notifications.notification_bell, name="notification-bell"),
    path("thong-bao/doc-tat-ca/", notifications.notification_read_all, name="notification-read-all"),
    path("thong-bao/cai-dat/", notifications.notification_preferences, name="notification-preferences"),
    path("thong-bao/<uuid:notification_id>/", notifications.notification_open, name="notification-open"),
    # Agency administration
    path("quan-tri/", agency_admin.admin_home, name="admin-home"),
    path("quan-tri/nguoi-dung/", agency_admin.member_edit, name="admin-member-new"),
    path("quan-tri/nguoi-dung/<str:username>/", agency_admin.member_edit, name="admin-member-edit"),
    path("quan-tri/don-vi/", agency_admin.unit_edit, name="admin-unit-new"),
    path("quan-tri/quy-trinh-duyet/", agency_admin.approval_chain_edit, name="admin-approval-chain"),
]
