"""Open data at /open/ (included from careprog/urls.py): every address open without signing
in, and 404 for a programme not published as open data."""

from django.urls import path

from actions.open_data import views

app_name = "open_data"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.programme_page, name="programme"),
    path("<slug:slug>/figures.csv", views.figures_csv, name="figures_csv"),
    path("<slug:slug>/figures.json", views.figures_json, name="figures_json"),
    path(
        "<slug:slug>/papers/<int:pk>/<str:name>",
        views.paper_file,
        name="paper_file",
    ),
]
