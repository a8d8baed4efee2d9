from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "gongdan.intake"
    label = "intake"
    verbose_name = _("Intake")

    def ready(self) -> None:
        # Outbound ticket mail gets threading headers (Message-ID / In-Reply-To / References).
        from gongdan.automation import services as outbox
        from gongdan.intake.outbound import thread_headers

        if thread_headers not in outbox.EMAIL_HEADER_HOOKS:
            outbox.EMAIL_HEADER_HOOKS.append(thread_headers)
