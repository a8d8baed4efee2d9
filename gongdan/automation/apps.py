from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    name = "gongdan.automation"
    label = "automation"
    verbose_name = _("Automation")

    def ready(self) -> None:
        from gongdan.automation import reactions
        from gongdan.tickets.services import hooks

        hooks.register_reply_hook(reactions.notify_customer_of_reply)
