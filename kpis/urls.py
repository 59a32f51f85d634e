from django.urls import path

from kpis.views import entries, import_jobs, imports, pages

app_name = "kpis"
urlpatterns = [
    path("kpis/", pages.dashboard, name="dashboard"),
    path("kpis/import/", imports.import_start, name="import"),
    path("kpis/import/template.xlsx", imports.import_template, name="import_template"),
    path("kpis/import/history/", imports.import_history, name="import_history"),
    path("kpis/import/<int:pk>/preview/", imports.import_preview, name="import_preview"),
    path("kpis/import/<int:pk>/", imports.import_batch, name="import_batch"),
    path("kpis/import/<int:pk>/status/", import_jobs.import_status, name="import_status"),
    # Before kpis/<code>/: no measure may be called "mine" or "entries" (RESERVED_KPI_CODES).
    path("kpis/mine/", entries.my_measures, name="mine"),
    path("kpis/entries/", entries.entries_awaiting, name="entries"),
    path("kpis/entries/<int:pk>/", entries.entry_detail, name="entry"),
    path("kpis/entries/import/<int:pk>/", imports.import_entries, name="import_entries"),
    path(
        "kpis/entries/import/<int:pk>/status/",
        import_jobs.import_entries_status,
        name="import_entries_status",
    ),
    path("kpis/<slug:code>/enter/", entries.kpi_enter, name="kpi_enter"),
    path("kpis/<slug:code>/benchmark/", pages.kpi_benchmark, name="kpi_benchmark"),
    path("kpis/<slug:code>/", pages.kpi_detail, name="kpi_detail"),
]
