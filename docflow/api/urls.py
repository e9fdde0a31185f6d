from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from docflow.api import views
from docflow.api.incoming import IncomingViewSet
from docflow.api.outgoing import OutgoingViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("agencies", views.AgencyViewSet, basename="agency")
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("incoming", IncomingViewSet, basename="incoming")
router.register("outgoing", OutgoingViewSet, basename="outgoing")

v1 = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("me/", views.MeView.as_view(), name="me"),
    path("document-types/", views.DocumentTypeView.as_view(), name="document-types"),
    path("", include(router.urls)),
]

app_name = "api"
urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
