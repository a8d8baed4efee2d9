from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "gongdan.routing"
    label = "routing"
    verbose_name = _("Routing")

    def ready(self) -> None:
        from gongdan.routing.services import route_new_tickets
        from gongdan.tickets.services import judgement

        # The last step of a new ticket's judgement in the worker, after triage set priority and category.
        judgement.register_batch_step(route_new_tickets, order=judgement.ORDER_ROUTING)
