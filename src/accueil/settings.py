"""Settings, from the environment (``ACCUEIL_*``) or a ``.env`` file."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from accueil.errors import InvalidInput, reason_of, says

Read = TypeVar("Read", bound=BaseSettings)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ACCUEIL_", env_file=".env", extra="ignore")

    # Any SQLAlchemy URL; the default is a SQLite file so nothing needs installing.
    database_url: str = "sqlite:///./var/accueil.db"
    # PostgreSQL: how long a connection may take to open (libpq's connect_timeout, at least 2)
    # and a statement to run (the server's statement_timeout); 0: no limit.
    database_connect_timeout_seconds: int = Field(5, ge=0, le=600)
    database_statement_timeout_seconds: float = Field(60.0, ge=0, le=86400)
    # Where reports, caches and the default database live.
    var_dir: str = "./var"
    # Calendar feeds on private, loopback or link-local addresses are refused unless allowed.
    calendar_allow_private_hosts: bool = False

    # Message delivery (accueil dispatch): the SMTP server, the SMS gateway, the dispatcher.
    smtp_host: str = ""  # no email channel when empty
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_security: str = "none"  # none, starttls, tls
    smtp_ca_file: str = ""  # the CAs to trust for the server's certificate (default: the system's)
    smtp_from: str = "accueil <messages@accueil.invalid>"
    sms_gateway: str = ""  # generic, twilio; no SMS channel when empty
    sms_url: str = ""
    sms_account: str = ""
    sms_token: str = ""
    sms_from: str = ""
    sms_status_callback: str = ""
    # the gateway's receipts and replies (POST /api/v1/sms/generic|twilio): the generic
    # gateway signs per Standard Webhooks with this secret; Twilio's signature covers this URL
    sms_inbound_secret: str = ""
    sms_inbound_url: str = ""
    dispatch_batch: int = 100
    dispatch_concurrency: int = 8
    dispatch_lease_seconds: int = 60
    dispatch_timeout_seconds: float = 10.0
    # A calendar feed's whole fetch (resolve, connect, redirects, body) must finish in this time.
    calendar_fetch_deadline_seconds: float = Field(20.0, gt=0, le=300)


def read_settings(kind: Callable[[], Read]) -> Read:
    """Settings of ``kind`` from the environment and ``.env``; a wrong one is refused naming its
    variable, the value and why (the first one found), never as pydantic's traceback."""
    try:
        return kind()
    except SettingsError as exc:  # a list that is not JSON: the field and the source are named
        raise InvalidInput(says("the server's settings: %(reason)s", reason=str(exc))) from None
    except ValidationError as exc:
        error = exc.errors()[0]
        variable = "ACCUEIL_" + "_".join(str(part) for part in error["loc"]).upper()
        raise InvalidInput(
            says(
                "%(variable)s=%(given)r: %(reason)s",
                variable=variable,
                given=str(error.get("input", "")),
                reason=reason_of(error),
            ),
            field=variable,
        ) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings every command and the service read (a wrong one: ``InvalidInput``)."""
    return read_settings(Settings)
