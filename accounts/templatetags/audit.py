"""`{% audit_line entry %}`: an audit entry as a sentence, linked to its object."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..audit_text import audit_object_url, audit_sentence
from ..models import AuditEntry

register = template.Library()


@register.simple_tag
def audit_line(entry: AuditEntry) -> SafeString:
    url = audit_object_url(entry)
    sentence = audit_sentence(entry)
    return format_html('<a href="{}">{}</a>', url, sentence) if url else format_html("{}", sentence)
