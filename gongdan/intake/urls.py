from django.urls import path

from gongdan.intake import views

app_name = "intake"
urlpatterns = [path("", views.request_form, name="form")]
