"""Roles (角色) and what each may do. Scope limits come from the role assignment (see registry.scoping).

Permissions map a model label, "app.*" or "*" to actions (core.scoping.ACTIONS). The three admin roles
(三员: 系统/安全/审计管理员) are separated duties (R11): mutually exclusive and with no business data.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

ALL = frozenset({"view", "add", "change", "delete", "export", "import"})
READ = frozenset({"view", "export"})
VIEW = frozenset({"view"})


class Role(models.TextChoices):
    DISTRICT_OFFICE = "district_office", _("区安委办")
    DEPARTMENT = "department", _("监管部门")
    TOWNSHIP = "township", _("乡镇（街道）")
    ENTERPRISE = "enterprise", _("生产经营单位")
    EXPERT = "expert", _("专家/技术检查员")
    LEADER = "leader", _("领导")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
GOVERNMENT_ROLES = frozenset({Role.DISTRICT_OFFICE, Role.DEPARTMENT, Role.TOWNSHIP, Role.LEADER})

_REFERENCE_READ = {
    "registry.region": VIEW | {"export"},
    "registry.industry": VIEW | {"export"},
    "registry.department": VIEW | {"export"},
    "registry.responsibility": VIEW | {"export"},
}

PERMISSIONS: dict[str, dict[str, frozenset[str]]] = {
    Role.DISTRICT_OFFICE: {"registry.*": ALL, "core.workdayoverride": VIEW, "core.calendaryear": VIEW},
    Role.DEPARTMENT: {
        **_REFERENCE_READ,
        "registry.enterprise": frozenset({"view", "change", "export"}),
        "registry.person": READ,
    },
    Role.TOWNSHIP: {
        **_REFERENCE_READ,
        "registry.enterprise": ALL - {"delete"},
        "registry.person": READ | {"add", "change"},
    },
    Role.ENTERPRISE: {
        "registry.enterprise": frozenset({"view", "change"}),
        "registry.person": ALL - {"import"},
    },
    Role.EXPERT: {
        "registry.region": VIEW,
        "registry.industry": VIEW,
    },
    Role.LEADER: {"registry.*": READ},
    Role.SYSTEM_ADMIN: {
        "accounts.user": frozenset({"view", "add", "change", "export"}),
        "accounts.roleassignment": frozenset({"view", "add", "change", "delete"}),
        "core.workdayoverride": ALL - {"import"},
        "core.calendaryear": frozenset({"view", "add"}),
    },
    Role.SECURITY_ADMIN: {
        # unlock: lift a login lockout (R03); end_sessions: force a user offline (R05).
        "accounts.user": frozenset({"view", "unlock", "end_sessions"}),
        "accounts.loginfailure": VIEW,
        "accounts.roleassignment": VIEW,
    },
    Role.AUDIT_ADMIN: {
        "core.auditentry": READ,
    },
}

# Roles whose scope is the whole district (no region prefix on the assignment needed).
DISTRICT_WIDE = frozenset({Role.DISTRICT_OFFICE, Role.LEADER, *ADMIN_ROLES})
