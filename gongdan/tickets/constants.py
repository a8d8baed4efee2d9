from django.db import models
from django.utils.translation import gettext_lazy as _


class StatusKind(models.TextChoices):
    """The closed set of status kinds; configurable statuses map onto these (code branches on kinds)."""

    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    ON_HOLD = "on_hold", _("On hold")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged")


ACTIVE_KINDS = (StatusKind.NEW, StatusKind.OPEN, StatusKind.PENDING, StatusKind.ON_HOLD)
FINAL_KINDS = (StatusKind.CLOSED, StatusKind.MERGED)


class PriorityCode(models.TextChoices):
    P0 = "P0", _("P0 · critical, respond immediately")
    P1 = "P1", _("P1 · high")
    P2 = "P2", _("P2 · normal")
    P3 = "P3", _("P3 · low")
    P4 = "P4", _("P4 · lowest")


DEFAULT_PRIORITY = PriorityCode.P2


class TicketType(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    REQUEST = "request", _("Service request")
    QUESTION = "question", _("Question")
    COMPLAINT = "complaint", _("Complaint")
    REPAIR = "repair", _("Repair")
    AFTER_SALES = "after_sales", _("After-sales (return / exchange / refund)")


class Sentiment(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")
    ANGRY = "angry", _("Angry")


class SlaStatus(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")


class StagnationLevel(models.TextChoices):
    """R3.5: no effective action for too long while in progress (set by the sla app's sweep)."""

    NONE = "", _("Moving")
    YELLOW = "yellow", _("Stagnant (yellow)")
    RED = "red", _("Stagnant (red)")


class ClosureKind(models.TextChoices):
    CUSTOMER_CONFIRMED = "customer_confirmed", _("Confirmed by the customer")
    AUTO_CLOSED = "auto_closed", _("Closed automatically (no confirmation)")
    AGENT_CLOSED = "agent_closed", _("Closed by an agent")


class LinkKind(models.TextChoices):
    RELATED = "related", _("Related")
    DUPLICATE_OF = "duplicate_of", _("Duplicate of")
    RECURRENCE_OF = "recurrence_of", _("Recurrence of")
    CAUSED_BY = "caused_by", _("Caused by")


class ExternalSystem(models.TextChoices):
    ERP_PO = "erp_po", _("ERP purchase order")
    WMS_SHIPMENT = "wms_shipment", _("WMS shipment")
    CRM = "crm", _("CRM customer")
    APPROVAL = "approval", _("Approval number")
    OTHER = "other", _("Other")


class CustomFieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    BOOLEAN = "boolean", _("Yes / no")
    CHOICE = "choice", _("Choice")


class EventType(models.TextChoices):
    CREATED = "created", _("Created")
    REPLY = "reply", _("Public reply")
    NOTE = "note", _("Internal note")
    STATUS_CHANGED = "status_changed", _("Status changed")
    REOPENED = "reopened", _("Reopened")
    ASSIGNED = "assigned", _("Assigned")
    PRIORITY_CHANGED = "priority_changed", _("Priority changed")
    CATEGORY_CHANGED = "category_changed", _("Category changed")
    FIELDS_CHANGED = "fields_changed", _("Fields changed")
    TAGS_CHANGED = "tags_changed", _("Tags changed")
    LINKED = "linked", _("Linked")
    EXTERNAL_REF_ADDED = "external_ref_added", _("External reference added")
    ATTACHMENT_ADDED = "attachment_added", _("Attachment added")
    CONFIRMATION_REQUESTED = "confirmation_requested", _("Resolution confirmation requested")
    CUSTOMER_CONFIRMED = "customer_confirmed", _("Customer confirmed the resolution")
    CUSTOMER_REJECTED = "customer_rejected", _("Customer says it is not solved")
    AUTO_CLOSED = "auto_closed", _("Closed automatically")
    MERGED = "merged", _("Merged")
    UNMERGED = "unmerged", _("Un-merged")
    P0_ALERT = "p0_alert", _("P0 alert sent")
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACHED = "sla_breached", _("SLA breached")
    ESCALATED = "escalated", _("Escalated")
    STAGNANT = "stagnant", _("Stagnant")
    P0_BREAKER = "p0_breaker", _("P0 sent to the duty manager")


# Event types that may count as effective actions (R3.3); which ones do is configured in DeskPolicy.
EFFECTIVE_CAPABLE_TYPES = [
    EventType.REPLY,
    EventType.NOTE,
    EventType.ATTACHMENT_ADDED,
    EventType.STATUS_CHANGED,
    EventType.REOPENED,
    EventType.EXTERNAL_REF_ADDED,
]
DEFAULT_EFFECTIVE_TYPES = [
    EventType.REPLY,
    EventType.NOTE,
    EventType.ATTACHMENT_ADDED,
    EventType.STATUS_CHANGED,
]

DEFAULT_ACK_PHRASES = [
    "收到",
    "已收到",
    "好的",
    "好",
    "嗯",
    "了解",
    "知道了",
    "谢谢",
    "收到，谢谢",
    "received",
    "ok",
    "okay",
    "noted",
    "got it",
    "thanks",
    "thank you",
    "will do",
]
DEFAULT_VAGUE_SUMMARIES = [
    "正在处理",
    "处理中",
    "跟进中",
    "在处理",
    "已跟进",
    "处理一下",
    "processing",
    "in progress",
    "working on it",
    "following up",
    "checking",
    "wip",
]
DEFAULT_ALLOWED_ATTACHMENT_TYPES = [
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
    "text/csv",
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/msword",
    "application/vnd.ms-excel",
    "video/mp4",
    "audio/mpeg",
    "audio/wav",
    # Mail structure intake keeps with the request: forwarded mails and signatures (issue 14).
    "message/rfc822",
    "application/pgp-signature",
    "application/pgp-keys",  # what mimetypes calls a .asc signature on Debian
    "application/pkcs7-signature",
]
