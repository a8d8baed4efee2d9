from django.urls import path

from gongdan.web import board, new_ticket, search, views

app_name = "web"
urlpatterns = [
    path("", views.queue, {"key": "mine"}, name="home"),
    path("q/<slug:key>/", views.queue, name="queue"),
    path("bulk/", views.bulk, name="bulk"),
    path("new/", new_ticket.new_ticket, name="new-ticket"),
    path("new/customers/", new_ticket.customer_lookup, name="new-customers"),
    path("new/hints/", new_ticket.suggestions, name="new-hints"),
    path("search/", search.search, name="search"),
    path("board/", board.board, name="board"),
    path("t/<str:number>/", views.ticket_page, name="ticket"),
    path("t/<str:number>/live/", views.ticket_live, name="ticket-live"),
    path("t/<str:number>/events/", views.ticket_events, name="ticket-events"),
    path("t/<str:number>/presence/", views.ticket_presence, name="presence"),
    path("t/<str:number>/compose/", views.compose, name="compose"),
    path("t/<str:number>/status/", views.change_status, name="status"),
    path("t/<str:number>/assign/", views.assign, name="assign"),
    path("attachments/<int:attachment_id>/", views.attachment, name="attachment"),
]
