"""Audit event types of accounts."""

from django.utils.translation import gettext_lazy as _

from zhiben.core.events import register

USER_LOGGED_IN = register("USER_LOGGED_IN", _("登录成功"))
USER_LOGIN_FAILED = register("USER_LOGIN_FAILED", _("登录失败"))
USER_LOCKED_OUT = register("USER_LOCKED_OUT", _("账号锁定"))
USER_UNLOCKED = register("USER_UNLOCKED", _("账号解锁"))
USER_LOGGED_OUT = register("USER_LOGGED_OUT", _("退出登录"))
USER_CREATED = register("USER_CREATED", _("创建用户"))
USER_UPDATED = register("USER_UPDATED", _("修改用户"))
USER_DISABLED = register("USER_DISABLED", _("停用用户"))
PASSWORD_CHANGED = register("PASSWORD_CHANGED", _("修改密码"))
PASSWORD_RESET = register("PASSWORD_RESET", _("重置密码"))
USER_ENABLED = register("USER_ENABLED", _("启用用户"))
SESSIONS_ENDED = register("SESSIONS_ENDED", _("强制下线"))
AUDIT_CHAIN_VERIFIED = register("AUDIT_CHAIN_VERIFIED", _("校验审计链"))
ROLE_ASSIGNED = register("ROLE_ASSIGNED", _("分配角色"))
ROLE_REVOKED = register("ROLE_REVOKED", _("撤销角色"))
TOKEN_CREATED = register("TOKEN_CREATED", _("创建 API 令牌"))
TOKEN_REVOKED = register("TOKEN_REVOKED", _("撤销 API 令牌"))
SESSION_EXPIRED = register("SESSION_EXPIRED", _("会话超时"))
PASSWORD_ACCEPTED = register("PASSWORD_ACCEPTED", _("密码验证通过（待动态口令）"))
TWO_FACTOR_ENABLED = register("TWO_FACTOR_ENABLED", _("启用双因素认证"))
TWO_FACTOR_DISABLED = register("TWO_FACTOR_DISABLED", _("停用双因素认证"))
TWO_FACTOR_RESET = register("TWO_FACTOR_RESET", _("重置双因素认证"))
TWO_FACTOR_FAILED = register("TWO_FACTOR_FAILED", _("动态口令错误"))
RECOVERY_CODE_USED = register("RECOVERY_CODE_USED", _("使用恢复码"))
RECOVERY_CODES_RENEWED = register("RECOVERY_CODES_RENEWED", _("重新生成恢复码"))
