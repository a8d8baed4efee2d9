from django.urls import path

from gongdan.triage.duplicates import incident_views, views

# Included by gongdan/triage/urls.py (app_name "triage"), mounted at /desk/triage/.
urlpatterns = [
    path("duplicates/", views.queue, name="duplicates-queue"),
    path("duplicates/related/", views.related, name="duplicates-related"),
    path("duplicates/similar/", views.portal_similar, name="duplicates-portal-similar"),
    path("duplicates/t/<str:number>/", views.panel, name="duplicates-panel"),
    path("duplicates/t/<str:number>/decide/<str:original>/", views.decide, name="duplicates-decide"),
    path("incidents/strip/", incident_views.strip, name="incidents-strip"),
    path("incidents/<int:pk>/", incident_views.detail, name="incident"),
    path("incidents/<int:pk>/reply/", incident_views.reply, name="incident-reply"),
    path("incidents/<int:pk>/resolve/", incident_views.resolve, name="incident-resolve"),
]
