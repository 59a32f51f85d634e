from django.urls import path, register_converter

from actions import views


class PeriodSlugConverter:
    """Matches the URL form of a financial quarter, e.g. 2024-25-q3; the view validates it."""

    regex = r"\d{4}-\d{2}-q[1-4]"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return getattr(value, "slug", value)


register_converter(PeriodSlugConverter, "period")

app_name = "actions"
urlpatterns = [
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/<slug:slug>/report/", views.report_latest, name="report_latest"),
    path("programmes/<slug:slug>/report/<period:period>/", views.report, name="report"),
    path("actions/", views.action_list, name="action_list"),
    path("actions/mine/", views.my_actions, name="my_actions"),
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
]
