from django.urls import path

from actions.api import programmes

urlpatterns = [
    path("programmes/", programmes.ProgrammeList.as_view(), name="api_programmes"),
]
