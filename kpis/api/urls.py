from django.urls import path

from kpis.api import catalogue, values

urlpatterns = [
    path("kpis/", catalogue.KPIList.as_view(), name="api_kpis"),
    path("kpi-values/", values.FigureList.as_view(), name="api_kpi_values"),
]
