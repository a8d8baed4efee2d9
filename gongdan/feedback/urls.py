from django.urls import path

from gongdan.feedback import views

app_name = "feedback"
urlpatterns = [path("confirm/<str:token>/", views.confirm, name="confirm")]
