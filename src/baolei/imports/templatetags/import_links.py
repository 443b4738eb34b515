"""`{% import_template_links %}`: on a list page, a 下载导入模板 link for each sheet that
fills the list (the sheet's `list_url` names the page), when the viewer may import it.
The templates were reachable only from the upload page."""

from django import template
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

from baolei.imports import pipeline

register = template.Library()


@register.simple_tag(takes_context=True)
def import_template_links(context) -> str:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    scope = getattr(request, "scope", None)
    if match is None or scope is None:
        return ""
    sheets = [
        sheet
        for sheet in pipeline.sheets().values()
        if sheet.list_url == match.view_name and scope.can(sheet.import_permission)
    ]
    if not sheets:
        return ""

    def label(sheet) -> str:
        if len(sheets) == 1:
            return _("Download the import template")
        return _("Import template: %(title)s") % {"title": sheet.title}

    return format_html_join(
        "",
        '<a class="button is-light is-small" href="{}" data-testid="template-link-{}">{}</a>',
        ((reverse("imports:template", args=[s.kind]), s.kind, label(s)) for s in sheets),
    )
