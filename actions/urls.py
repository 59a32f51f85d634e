from django.urls import path, register_converter

from actions import views
from careprog.periods import ReportingPeriodConverter

register_converter(ReportingPeriodConverter, "period")

app_name = "actions"
urlpatterns = [
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/<slug:slug>/report/", views.report_latest, name="report_latest"),
    path("programmes/<slug:slug>/report/<period:period>/", views.report, name="report"),
    path("actions/", views.action_list, name="action_list"),
    path("actions/mine/", views.my_actions, name="my_actions"),
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
]
