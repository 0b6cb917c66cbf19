"""The demo personas: one login per role of the platform, created through the account services."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from zhiben.accounts.models import User
from zhiben.accounts.roles import Role
from zhiben.accounts.services import assign_role, create_user
from zhiben.registry.models import Department, Enterprise, Region


@dataclass(frozen=True)
class Persona:
    username: str
    display_name: str
    organisation: str
    role: str
    department: str = ""  # Department.code
    township: str = ""  # Region name (乡镇/街道)
    enterprise_slot: str = ""  # key into the enterprises mapping given to ensure_personas()


PERSONAS: tuple[Persona, ...] = (
    Persona("anweiban", "区安委办值班员", "区安委会办公室", Role.DISTRICT_OFFICE),
    Persona("jubao", "举报受理保密员", "区安委会办公室", Role.TIP_CUSTODIAN),
    Persona("yingji", "应急管理局监管员", "区应急管理局", Role.DEPARTMENT, department="emergency"),
    Persona("zhujian", "住建局监管员", "区住房和城乡建设局", Role.DEPARTMENT, department="housing"),
    Persona("jiaotong", "交通运输局监管员", "区交通运输局", Role.DEPARTMENT, department="transport"),
    Persona("xiaofang", "消防监督员", "区消防救援大队", Role.DEPARTMENT, department="fire"),
    Persona("shichang", "市场监管局监管员", "区市场监督管理局", Role.DEPARTMENT, department="market"),
    Persona("tianwen", "天问街道安监员", "天问街道", Role.TOWNSHIP, township="天问街道"),
    Persona("yingtian", "营田镇安监员", "营田镇", Role.TOWNSHIP, township="营田镇"),
    Persona("heshi", "河市镇安监员", "河市镇", Role.TOWNSHIP, township="河市镇"),
    Persona("fenghuang", "凤凰乡安监员", "凤凰乡", Role.TOWNSHIP, township="凤凰乡"),
    Persona("qiye1", "企业安全负责人（一）", "", Role.ENTERPRISE, enterprise_slot="qiye1"),
    Persona("qiye2", "企业安全负责人（二）", "", Role.ENTERPRISE, enterprise_slot="qiye2"),
    Persona("qiye3", "企业安全负责人（三）", "", Role.ENTERPRISE, enterprise_slot="qiye3"),
    Persona("zhuanjia", "安全生产专家", "区安全生产专家库", Role.EXPERT),
    Persona("lingdao", "分管区领导", "区管委", Role.LEADER),
    Persona("xitong", "系统管理员", "区应急管理局信息中心", Role.SYSTEM_ADMIN),
    Persona("anquan", "安全管理员", "区应急管理局信息中心", Role.SECURITY_ADMIN),
    Persona("shenji", "审计管理员", "区应急管理局信息中心", Role.AUDIT_ADMIN),
)


def ensure_personas(
    enterprises: Mapping[str, Enterprise], *, password: str | None = None, actor: Any = None
) -> dict[str, User]:
    """Create the persona users that do not exist yet (idempotent); returns all of them by username."""
    password = password or settings.DEMO_PASSWORD
    users: dict[str, User] = {}
    for p in PERSONAS:
        user = User.objects.filter(username=p.username).first()
        if user is None:
            enterprise = enterprises.get(p.enterprise_slot) if p.enterprise_slot else None
            org = p.organisation or (enterprise.name if enterprise else "")
            user = create_user(
                actor=actor,
                username=p.username,
                password=password,
                display_name=p.display_name,
                organisation=org,
                phone=f"1390730{PERSONAS.index(p):04d}",
                validate=False,
            )
            assign_role(
                user,
                actor=actor,
                role=p.role,
                department=Department.objects.get(code=p.department) if p.department else None,
                region_code=Region.objects.get(name=p.township, level=4).scope_prefix if p.township else "",
                enterprise=enterprise,
            )
        users[p.username] = user
    return users
