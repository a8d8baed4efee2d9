from django.urls import path

from gongdan.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new_request, name="new"),
    path("t/<str:number>/", views.ticket_page, name="ticket"),
    path("t/<str:number>/reply/", views.reply, name="reply"),
    path("t/<str:number>/confirm/", views.confirm, name="confirm"),
    path("attachments/<int:attachment_id>/", views.attachment, name="attachment"),
]
