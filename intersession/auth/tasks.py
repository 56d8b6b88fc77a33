"""Background work of sign-in."""

from celery import shared_task

from intersession.auth import services


@shared_task(name="auth.purge-login-records")
def purge_login_records() -> int:
    return services.purge_login_records()
