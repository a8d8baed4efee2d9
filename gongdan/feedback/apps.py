from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "gongdan.feedback"
    label = "feedback"
    verbose_name = _("Feedback")

    def ready(self) -> None:
        from gongdan.feedback import services
        from gongdan.tickets.services import hooks

        hooks.register_status_hook(services.on_status_changed)
