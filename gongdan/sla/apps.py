from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "gongdan.sla"
    label = "sla"
    verbose_name = _("SLA")

    def ready(self) -> None:
        from gongdan.sla import services
        from gongdan.tickets.services import hooks

        hooks.register_recorded_hook(services.on_event_recorded)
