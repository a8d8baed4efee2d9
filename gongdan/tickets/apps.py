from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "gongdan.tickets"
    label = "tickets"
