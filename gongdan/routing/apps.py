from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "gongdan.routing"
    label = "routing"
    verbose_name = _("Routing")

    def ready(self) -> None:
        from gongdan.routing.services import on_ticket_created
        from gongdan.tickets.services.hooks import ORDER_ROUTING, register_created_hook

        register_created_hook(on_ticket_created, order=ORDER_ROUTING)
