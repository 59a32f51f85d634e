from django.urls import path

from actions.api import action_rows, papers, programmes, risks, updates

urlpatterns = [
    path("programmes/", programmes.ProgrammeList.as_view(), name="api_programmes"),
    path("actions/", action_rows.ActionList.as_view(), name="api_actions"),
    path("updates/", updates.UpdateList.as_view(), name="api_updates"),
    path("papers/", papers.PaperList.as_view(), name="api_papers"),
    path("risks/", risks.RiskList.as_view(), name="api_risks"),
]
