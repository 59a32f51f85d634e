from django.urls import path

from kpis.api import catalogue

urlpatterns = [
    path("kpis/", catalogue.KPIList.as_view(), name="api_kpis"),
]
