from django.urls import path

from kpis import views

app_name = "kpis"
urlpatterns = [
    path("kpis/", views.dashboard, name="dashboard"),
    path("kpis/<slug:code>/", views.kpi_detail, name="kpi_detail"),
]
