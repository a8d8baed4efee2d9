from django.urls import include, path

app_name = "triage"
urlpatterns: list = [
    path("", include("gongdan.triage.duplicates.urls")),
]
