from django.contrib.auth import views as auth_views
from django.urls import path

from docflow.web import views

app_name = "web"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dang-nhap/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("co-quan/", views.switch_agency, name="switch-agency"),
]
