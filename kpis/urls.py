from django.urls import path

from kpis import views

app_name = "kpis"
urlpatterns = [
    path("kpis/", views.dashboard, name="dashboard"),
    path("kpis/import/", views.import_start, name="import"),
    path("kpis/import/template.xlsx", views.import_template, name="import_template"),
    path("kpis/import/history/", views.import_history, name="import_history"),
    path("kpis/import/<int:pk>/preview/", views.import_preview, name="import_preview"),
    path("kpis/import/<int:pk>/", views.import_batch, name="import_batch"),
    # Before kpis/<code>/: no measure may be called "mine" or "entries" (RESERVED_KPI_CODES).
    path("kpis/mine/", views.my_measures, name="mine"),
    path("kpis/entries/", views.entries_awaiting, name="entries"),
    path("kpis/entries/<int:pk>/", views.entry_detail, name="entry"),
    path("kpis/entries/import/<int:pk>/", views.import_entries, name="import_entries"),
    path("kpis/<slug:code>/enter/", views.kpi_enter, name="kpi_enter"),
    path("kpis/<slug:code>/benchmark/", views.kpi_benchmark, name="kpi_benchmark"),
    path("kpis/<slug:code>/", views.kpi_detail, name="kpi_detail"),
]
