from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from actions import views as action_views

admin.site.site_header = "Care programmes administration"
admin.site.site_title = "Care programmes"

urlpatterns = [
    path("", action_views.home, name="home"),
    path("", include("actions.urls")),
    path("sign-in/", auth_views.LoginView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
