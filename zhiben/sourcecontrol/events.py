"""Audit event types of 源头管控 that are not steps (each step's event is declared on the step)."""

from django.utils.translation import gettext_lazy as _

from zhiben.core.events import register

CERTIFICATE_ISSUED = register("SC_CERTIFICATE_ISSUED", _("登记安全生产标准化证书"))
CERTIFICATE_EXPIRED = register("SC_CERTIFICATE_EXPIRED", _("安全生产标准化证书到期"))
CERTIFICATE_REVOKED = register("SC_CERTIFICATE_REVOKED", _("撤销安全生产标准化证书"))
FEE_ACCOUNT_OPENED = register("SC_FEE_ACCOUNT_OPENED", _("建立安全生产费用台账"))
FEE_SPENT = register("SC_FEE_SPENT", _("登记安全生产费用支出"))
CONSTRUCTION_REGISTERED = register("SC_CONSTRUCTION_REGISTERED", _("登记建设工程项目"))
CONSTRUCTION_PAID = register("SC_CONSTRUCTION_PAID", _("登记建设单位支付安全费用"))
STAGE_DOCUMENT_ADDED = register("SC_STAGE_DOCUMENT_ADDED", _("上传三同时环节文件"))
STAGE_DOCUMENT_VIEWED = register("SC_STAGE_DOCUMENT_VIEWED", _("查看三同时环节文件"))
