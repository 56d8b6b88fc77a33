"""Background work of sign-in."""

from celery import shared_task

from intersession.auth import services


@shared_task(name="auth.purge-login-failures")
def purge_login_failures() -> int:
    return services.purge_login_failures()
