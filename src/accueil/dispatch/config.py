"""The channels a dispatcher gets from the settings (``ACCUEIL_SMTP_*``, ``ACCUEIL_SMS_*``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from accueil.dispatch.channel import Channel
from accueil.dispatch.email import SmtpChannel, SmtpSettings
from accueil.dispatch.sms import GatewaySettings, SmsChannel
from accueil.dispatch.webhook import WebhookChannel
from accueil.errors import InvalidInput, says
from accueil.settings import Settings


def channels_from(settings: Settings, now: Callable[[], datetime]) -> dict[str, Channel]:
    """Email when an SMTP host is set, SMS when a gateway is; webhooks always."""
    found: dict[str, Channel] = {
        "webhook": WebhookChannel(now, timeout=settings.dispatch_timeout_seconds)
    }
    if settings.smtp_host:
        if settings.smtp_security not in ("none", "starttls", "tls"):
            raise InvalidInput(
                says(
                    "ACCUEIL_SMTP_SECURITY=%(value)r: use none, starttls or tls",
                    value=settings.smtp_security,
                )
            )
        found["email"] = SmtpChannel(
            SmtpSettings(
                host=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username,
                password=settings.smtp_password,
                security=settings.smtp_security,
                ca_file=settings.smtp_ca_file,
                sender=settings.smtp_from,
                timeout=settings.dispatch_timeout_seconds,
            )
        )
    if settings.sms_gateway:
        if settings.sms_gateway not in ("generic", "twilio") or not settings.sms_url:
            raise InvalidInput(
                says(
                    "ACCUEIL_SMS_GATEWAY=%(value)r: use generic or twilio, with ACCUEIL_SMS_URL",
                    value=settings.sms_gateway,
                )
            )
        found["sms"] = SmsChannel(
            GatewaySettings(
                kind=settings.sms_gateway,
                url=settings.sms_url,
                account=settings.sms_account,
                token=settings.sms_token,
                sender=settings.sms_from,
                status_callback=settings.sms_status_callback,
                timeout=settings.dispatch_timeout_seconds,
            )
        )
    return found
