"""Mounted under /desk/triage/ by `gongdan.triage.urls` (names live in the `triage` namespace)."""

from django.urls import path

from gongdan.triage.merging import views

urlpatterns = [
    path("merges/", views.queue, name="merge-queue"),
    path("merges/count/", views.count, name="merge-count"),
    path("merges/top10/", views.top10, name="merge-top10"),
    path("merges/<int:pk>/confirm/", views.confirm, name="merge-confirm"),
    path("merges/<int:pk>/reject/", views.reject, name="merge-reject"),
    path("merges/t/<str:number>/panel/", views.panel, name="merge-panel"),
    path("merges/t/<str:number>/provenance/", views.provenance, name="merge-provenance"),
    path("merges/t/<str:number>/unmerge/", views.unmerge, name="merge-unmerge"),
]
