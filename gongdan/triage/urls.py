from django.urls import path

from gongdan.triage import views

app_name = "triage"
urlpatterns = [
    path("t/<str:number>/panel/", views.panel, name="panel"),
    path("t/<str:number>/override/", views.override, name="override"),
    path("t/<str:number>/classification/", views.correct, name="correct"),
    path("ab/", views.ab_report, name="ab"),
]
