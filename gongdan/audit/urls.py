from django.urls import path

from gongdan.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.trail, name="trail"),
    path("export/", views.export_view, name="export"),
]
