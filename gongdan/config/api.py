"""The REST API (R12.4): one NinjaAPI, routers per app, problem+json errors everywhere."""

from ninja import NinjaAPI

from gongdan.config.docs import VendoredSwagger
from gongdan.core.api_support import ApiRenderer, install_error_handlers, install_strict_query, session_or_token

api = NinjaAPI(
    title="Gongdan API",
    version="1.0.0",
    description="Gongdan (工单) service desk API. Authenticate with `Authorization: Bearer <token>` "
    "(`manage.py issue_api_token`) or a browser session. Errors are application/problem+json.",
    auth=session_or_token,
    urls_namespace="api-v1",
    renderer=ApiRenderer(),
    docs=VendoredSwagger(),
)
install_error_handlers(api)

from gongdan.accounts.api import router as accounts_router  # noqa: E402
from gongdan.audit.api import router as audit_router  # noqa: E402
from gongdan.automation.api import router as notifications_router  # noqa: E402
from gongdan.customers.api import router as customers_router  # noqa: E402
from gongdan.feedback.api import router as feedback_router  # noqa: E402
from gongdan.intake.api import hooks_router as intake_hooks_router  # noqa: E402
from gongdan.intake.api import router as intake_router  # noqa: E402
from gongdan.routing.api import router as routing_router  # noqa: E402
from gongdan.tickets.api import attachments_router, catalog_router  # noqa: E402
from gongdan.tickets.api import router as tickets_router  # noqa: E402
from gongdan.triage.api import router as triage_router  # noqa: E402
from gongdan.triage.duplicates.api import router as duplicates_router  # noqa: E402
from gongdan.triage.merging.api import router as merging_router  # noqa: E402

api.add_router("/tickets", tickets_router)
api.add_router("/attachments", attachments_router)
api.add_router("/", catalog_router)
api.add_router("/customers", customers_router)
api.add_router("/", accounts_router)
api.add_router("/confirmations", feedback_router)
api.add_router("/me/notification-preferences", notifications_router)
api.add_router("/intake", intake_router)
api.add_router("/intake/hooks", intake_hooks_router)
api.add_router("/triage", merging_router)
api.add_router("/duplicates", duplicates_router)
api.add_router("/triage", triage_router)
api.add_router("/routing", routing_router)
api.add_router("/audit", audit_router)

# After every router is added: unknown query parameters are refused (signed webhooks carry their platform's own).
install_strict_query(api, skip_prefixes=("/intake/hooks",))
