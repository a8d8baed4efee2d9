from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "gongdan.sla"
    label = "sla"
    verbose_name = _("SLA")

    def ready(self) -> None:
        from gongdan.sla import notifications, services
        from gongdan.tickets import rendering
        from gongdan.tickets.constants import EventType
        from gongdan.tickets.services import hooks

        hooks.register_recorded_hook(services.on_event_recorded)

        for event_type in (
            EventType.P0_ALERT,
            EventType.SLA_WARNING,
            EventType.SLA_BREACHED,
            EventType.ESCALATED,
            EventType.STAGNANT,
            EventType.P0_BREAKER,
        ):
            rendering.register(event_type, notifications.describe)
