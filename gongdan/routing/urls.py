from django.urls import path

from gongdan.routing import views

app_name = "routing"
urlpatterns = [
    path("", views.board, name="board"),
    path("next/", views.next_ticket, name="next"),
    path("banner/", views.banner, name="banner"),
    path("availability/", views.availability, name="availability"),
    path("breaker/", views.breaker_history, name="breaker"),
    path("dispatches/", views.dispatches, name="dispatches"),
    path("t/<str:number>/", views.panel, name="panel"),
    path("t/<str:number>/dispatch/", views.dispatch, name="dispatch"),
    path("t/<str:number>/reassign/", views.reassign, name="reassign"),
]
