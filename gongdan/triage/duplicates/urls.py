from django.urls import path

from gongdan.triage.duplicates import views

# Included by gongdan/triage/urls.py (app_name "triage"), mounted at /desk/triage/.
urlpatterns = [
    path("duplicates/", views.queue, name="duplicates-queue"),
    path("duplicates/related/", views.related, name="duplicates-related"),
    path("duplicates/similar/", views.portal_similar, name="duplicates-portal-similar"),
    path("duplicates/t/<str:number>/", views.panel, name="duplicates-panel"),
    path("duplicates/t/<str:number>/decide/<str:original>/", views.decide, name="duplicates-decide"),
]
