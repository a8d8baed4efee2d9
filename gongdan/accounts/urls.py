from django.urls import path

from gongdan.accounts import views

app_name = "accounts"
urlpatterns = [
    path("security/", views.security, name="security"),
    path("sessions/<int:session_id>/revoke/", views.revoke_session, name="revoke-session"),
    path("sessions/sign-out-everywhere/", views.sign_out_everywhere, name="sign-out-everywhere"),
    path("2fa/", views.two_factor, name="mfa"),
]
