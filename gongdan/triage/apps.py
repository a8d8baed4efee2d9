from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "gongdan.triage"
    label = "triage"
    verbose_name = _("Triage")

    def ready(self) -> None:
        from gongdan.tickets.services.hooks import ORDER_TRIAGE, register_created_hook
        from gongdan.triage.services import on_ticket_created

        register_created_hook(on_ticket_created, order=ORDER_TRIAGE)
