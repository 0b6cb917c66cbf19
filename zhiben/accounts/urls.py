from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/otp/", views.login_otp_view, name="login_otp"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change_view, name="password_change"),
    path("me/", views.ProfileView.as_view(), name="profile"),
    path("me/two-factor/", views.TwoFactorView.as_view(), name="two_factor"),
    path("me/tokens/<int:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/new/", views.UserCreateView.as_view(), name="user_create"),
    path("users/<int:pk>/", views.UserDetailView.as_view(), name="user_detail"),
    path("users/<int:pk>/roles/", views.UserAssignRoleView.as_view(), name="user_assign_role"),
    path("roles/<int:pk>/revoke/", views.UserRevokeRoleView.as_view(), name="user_revoke_role"),
    path("users/<int:pk>/disable/", views.UserDisableView.as_view(), name="user_disable"),
    path("users/<int:pk>/enable/", views.UserEnableView.as_view(), name="user_enable"),
    path("users/<int:pk>/reset-password/", views.UserResetPasswordView.as_view(), name="user_reset_password"),
    path("users/<int:pk>/end-sessions/", views.UserEndSessionsView.as_view(), name="user_end_sessions"),
    path("users/<int:pk>/reset-2fa/", views.UserTwoFactorResetView.as_view(), name="user_reset_2fa"),
    path("lockouts/", views.LockoutListView.as_view(), name="lockout_list"),
    path("lockouts/unlock/", views.LockoutUnlockView.as_view(), name="lockout_unlock"),
    path("audit/", views.AuditListView.as_view(), name="audit_list"),
    path("audit/<int:pk>/", views.AuditDetailView.as_view(), name="audit_detail"),
    path("audit/verify/", views.AuditVerifyView.as_view(), name="audit_verify"),
    path("calendar/", views.CalendarView.as_view(), name="calendar"),
    path("calendar/overrides/new/", views.CalendarOverrideView.as_view(), name="calendar_override"),
    path(
        "calendar/overrides/<str:day>/", views.CalendarOverrideView.as_view(), name="calendar_override_edit"
    ),
    path(
        "calendar/overrides/<str:day>/clear/",
        views.CalendarOverrideClearView.as_view(),
        name="calendar_override_clear",
    ),
    path("calendar/years/", views.CalendarYearPublishView.as_view(), name="calendar_year_publish"),
]
