"""Enterprise import pages (生产经营单位导入): upload, template download and the error report download."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhiben.core.excel.web import ImportErrorReportView, ImportStatusView, ImportTemplateView, ImportView

from .excel import enterprise_import_spec
from .models import Enterprise


class EnterpriseImportView(ImportView):
    model = Enterprise
    spec_factory = enterprise_import_spec
    import_note = _(
        "已登记的单位按统一社会信用代码（无代码时按名称＋所在区划）更新，重复导入同一文件不会产生重复数据。"
    )
    template_url_name = "registry:enterprise_import_template"
    errors_url_name = "registry:enterprise_import_errors"
    status_url_name = "registry:enterprise_import_status"
    list_url_name = "registry:enterprise_list"


class EnterpriseImportStatusView(ImportStatusView):
    model = Enterprise
    errors_url_name = "registry:enterprise_import_errors"
    import_url_name = "registry:enterprise_import"
    list_url_name = "registry:enterprise_list"


class EnterpriseImportTemplateView(ImportTemplateView):
    model = Enterprise
    spec_factory = enterprise_import_spec


class EnterpriseImportErrorsView(ImportErrorReportView):
    model = Enterprise
