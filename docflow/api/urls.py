from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from docflow.api import auth, directory, notifications
from docflow.api.incoming import IncomingViewSet
from docflow.api.incoming_files import IncomingAttachmentView
from docflow.api.outgoing import OutgoingViewSet
from docflow.api.outgoing_paper import OutgoingSignedScanIssueView
from docflow.api.registers import RegisterViewSet
from docflow.api.search import SearchView
from docflow.api import statistics
from docflow.api import archive, records
from docflow.api import oversight
from docflow.api.exchange import views as exchange

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("agencies", directory.AgencyViewSet, basename="agency")
router.register("notifications", notifications.NotificationViewSet, basename="notification")
router.register("exchange/webhook-deliveries", exchange.WebhookDeliveryViewSet, basename="exchange-webhook-delivery")
router.register("incoming", IncomingViewSet, basename="incoming")
router.register("outgoing", OutgoingViewSet, basename="outgoing")
router.register("registers", RegisterViewSet, basename="register")
router.register("files", records.FileViewSet, basename="file")
router.register("archive-transfers", archive.ArchiveTransferViewSet, basename="archive-transfer")
router.register("statistics/reports", statistics.StatisticsReportViewSet, basename="statistics-report")

exchange_urls = [
    path("documents/", exchange.DocumentsView.as_view(), name="exchange-documents"),
    path("documents/<uuid:pk>/", exchange.DocumentDetailView.as_view(), name="exchange-document"),
    path("documents/<uuid:pk>/edxml/", exchange.DocumentEdxmlView.as_view(), name="exchange-document-edxml"),
    path("documents/<uuid:pk>/pdf/", exchange.DocumentPdfView.as_view(), name="exchange-document-pdf"),
    path(
        "documents/<uuid:pk>/attachments/<uuid:attachment_id>/",
        exchange.DocumentAttachmentView.as_view(), name="exchange-document-attachment",
    ),
    path("status/", exchange.StatusView.as_view(), name="exchange-status"),
]

v1 = [
    path("auth/token/", auth.TokenView.as_view(), name="token"),
    path("me/", auth.MeView.as_view(), name="me"),
    path("document-types/", directory.DocumentTypeView.as_view(), name="document-types"),
    path("exchange/", include(exchange_urls)),
    path("search/", SearchView.as_view(), name="search"),
    path("statistics/", statistics.StatisticsView.as_view(), name="statistics"),
    path("statistics/recipients/", statistics.RecipientStatisticsView.as_view(), name="statistics-recipients"),
    path("statistics/trend/", statistics.TrendView.as_view(), name="statistics-trend"),
    path(
        "incoming/<uuid:pk>/attachments/<uuid:attachment_id>/",
        IncomingAttachmentView.as_view(), name="incoming-attachment",
    ),
    path("outgoing/<uuid:pk>/issue-signed-scan/", OutgoingSignedScanIssueView.as_view(),
         name="outgoing-issue-signed-scan"),
    path("file-list/", archive.FileListView.as_view(), name="file-list"),
    path("file-list/headings/", archive.FileListHeadingView.as_view(), name="file-list-headings"),
    path("file-list/entries/", archive.FileListEntryView.as_view(), name="file-list-entries"),
    path("file-list/copy/", archive.FileListCopyView.as_view(), name="file-list-copy"),
    path("retention-rules/", archive.RetentionRuleView.as_view(), name="retention-rules"),
    path("oversight/", oversight.OversightView.as_view(), name="oversight"),
    path("oversight/<str:agency_code>/", oversight.OversightTrendView.as_view(), name="oversight-trend"),
    path("", include(router.urls)),
]

app_name = "api"
urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: the CSP allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
