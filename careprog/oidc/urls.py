from django.urls import path

from careprog.oidc import views

urlpatterns = [
    path("authenticate/", views.StartSignIn.as_view(), name="oidc_authentication_init"),
    path("callback/", views.callback, name="oidc_authentication_callback"),
]
