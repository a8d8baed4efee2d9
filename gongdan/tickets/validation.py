"""Input rules shared by the ticket services: summaries, custom fields, attachments."""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from gongdan.core import configcache
from gongdan.core.errors import AttachmentRejected, InvalidInput, VagueSummary
from gongdan.core.text import is_blank, matches_phrase
from gongdan.tickets.constants import CustomFieldType
from gongdan.tickets.models import Category, CustomFieldDefinition, DeskPolicy


def clean_summary(summary: str, policy: DeskPolicy) -> str:
    """A summary headline: short and specific. Empty stays empty (the caller decides if it is needed)."""
    summary = (summary or "").strip()
    if not summary:
        return ""
    if len(summary) > policy.summary_max_length:
        raise InvalidInput(
            f"The summary may be at most {policy.summary_max_length} characters; put details in the body.",
            f"摘要最多 {policy.summary_max_length} 个字，详细内容请写在正文中。",
            fields={"summary": "too_long"},
        )
    if matches_phrase(summary, policy.vague_summaries):
        raise VagueSummary(
            f'"{summary}" says nothing about what was done; write the concrete step (e.g. "已远程重置密码").',
            f"“{summary}”没有说明具体做了什么，请写明具体处理动作（例如“已远程重置密码”）。",
            fields={"summary": "vague"},
        )
    return summary


def require_body(body: str, field: str = "body") -> str:
    if is_blank(body):
        raise InvalidInput(
            "The message is empty; write what you want to say.",
            "内容为空，请填写要发送的内容。",
            fields={field: "blank"},
        )
    return body.strip()


def is_acknowledgement_only(body: str, policy: DeskPolicy) -> bool:
    return matches_phrase(body, policy.ack_phrases)


def _coerce(definition: CustomFieldDefinition, value: Any) -> Any:
    kind = definition.field_type
    if value is None or value == "":
        return None
    if kind == CustomFieldType.TEXT:
        return str(value)
    if kind == CustomFieldType.NUMBER:
        if isinstance(value, bool):
            raise ValueError
        try:
            number = Decimal(str(value))
        except InvalidOperation as exc:
            raise ValueError from exc
        if not number.is_finite():
            raise ValueError
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == CustomFieldType.DATE:
        return dt.date.fromisoformat(str(value)).isoformat()
    if kind == CustomFieldType.BOOLEAN:
        if isinstance(value, bool):
            return value
        raise ValueError
    if kind == CustomFieldType.CHOICE:
        if str(value) not in [str(choice) for choice in definition.choices]:
            raise ValueError
        return str(value)
    raise ValueError


def _active_definitions() -> list[tuple[CustomFieldDefinition, frozenset[int]]]:
    """Active definitions with the ids of the categories they are scoped to (configuration: cached)."""

    def load():
        definitions = CustomFieldDefinition.objects.filter(is_active=True).prefetch_related("categories")
        return [(d, frozenset(cat.pk for cat in d.categories.all())) for d in definitions]

    return configcache.cached(("custom-field-definitions",), load)


def definitions_for(category: Category | None) -> list[CustomFieldDefinition]:
    definitions = _active_definitions()
    if not definitions:
        return []
    path_ids = {node.pk for node in category.path()} if category else set()
    return [definition for definition, scoped in definitions if not scoped or scoped & path_ids]


def clean_custom_fields(
    values: dict[str, Any], category: Category | None, *, existing: dict[str, Any] | None = None, creating: bool
) -> dict[str, Any]:
    """Validate custom field values against their definitions for this category (R1.6, R12.2)."""
    definitions = {d.key: d for d in definitions_for(category)}
    unknown = sorted(set(values) - set(definitions))
    if unknown:
        raise InvalidInput(
            f"Unknown custom fields for this category: {', '.join(unknown)}.",
            f"此分类没有这些自定义字段：{', '.join(unknown)}。",
            fields={key: "unknown" for key in unknown},
        )
    cleaned = dict(existing or {})
    bad: dict[str, str] = {}
    for key, value in values.items():
        try:
            cleaned[key] = _coerce(definitions[key], value)
        except (ValueError, TypeError):
            bad[key] = f"invalid {definitions[key].field_type}"
    if bad:
        raise InvalidInput(
            f"Invalid custom field values: {', '.join(sorted(bad))}.",
            f"自定义字段取值无效：{', '.join(sorted(bad))}。",
            fields=bad,
        )
    if creating:
        missing = sorted(k for k, d in definitions.items() if d.required and cleaned.get(k) in (None, ""))
        if missing:
            raise InvalidInput(
                f"Required fields for this category are missing: {', '.join(missing)}.",
                f"此分类的必填字段未填写：{', '.join(missing)}。",
                fields={key: "required" for key in missing},
            )
    return {k: v for k, v in cleaned.items() if v is not None}


def check_attachment(name: str, content_type: str, size: int, policy: DeskPolicy) -> None:
    if size <= 0:
        raise AttachmentRejected(f"The file {name} is empty.", f"文件 {name} 是空的。", fields={"file": "empty"})
    if size > policy.attachment_max_bytes:
        limit_mb = policy.attachment_max_bytes // (1024 * 1024)
        raise AttachmentRejected(
            f"The file {name} is larger than {limit_mb} MB.",
            f"文件 {name} 超过 {limit_mb} MB 的上限。",
            fields={"file": "too_large"},
        )
    if content_type not in policy.attachment_allowed_types:
        raise AttachmentRejected(
            f"Files of type {content_type} are not accepted ({name}).",
            f"不接受 {content_type} 类型的文件（{name}）。",
            fields={"file": "type_not_allowed"},
        )
