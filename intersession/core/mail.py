"""Sending e-mail through the SMTP server the settings name (smtplib); nothing is sent, and
`mail_enabled` is False, while SMTP_HOST is empty. A refused or unreachable server raises
`MailError`, for the caller (a Celery task) to try again later."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app


class MailError(Exception):
    """The server could not be reached or refused the message."""


def mail_enabled() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def compose(to: str, subject: str, text: str, html: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="intersession")
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def send(message: EmailMessage) -> None:
    config = current_app.config
    host, port, timeout = (
        config["SMTP_HOST"],
        int(config["SMTP_PORT"]),
        float(config["SMTP_TIMEOUT"]),
    )
    try:
        if config.get("SMTP_SSL"):
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            server = smtplib.SMTP(host, port, timeout=timeout)
        with server:
            if config.get("SMTP_STARTTLS"):
                server.starttls(context=ssl.create_default_context())
            if config.get("SMTP_USER"):
                server.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
            server.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(f"{host}:{port}: {error}") from error
