from django.urls import include, path

from gongdan.triage import views

app_name = "triage"
urlpatterns: list = [
    path("t/<str:number>/panel/", views.panel, name="panel"),
    path("t/<str:number>/override/", views.override, name="override"),
    path("t/<str:number>/classification/", views.correct, name="correct"),
    path("ab/", views.ab_report, name="ab"),
    path("", include("gongdan.triage.merging.urls")),
    path("", include("gongdan.triage.duplicates.urls")),
]
