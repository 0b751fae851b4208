"""The server's settings, from the environment (``ACCUEIL_*``) or a ``.env`` file."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ACCUEIL_", env_file=".env", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    # Origins allowed to call the API from a browser; none unless configured (CORS closed).
    cors_origins: list[str] = Field(default_factory=list)
    # Request bodies larger than this are refused with 413 before they are read whole.
    max_body_bytes: int = Field(2 * 1024 * 1024, gt=0)
    # Password logins allowed per user name and per client address in one minute.
    login_attempts_per_minute: int = Field(5, gt=0)
    # Browser sessions (cookie sign-in): idle timeout, lifetime whatever the activity, and
    # whether the cookies are Secure (sent over HTTPS only; browsers treat localhost as secure).
    session_idle_minutes: int = Field(120, gt=0)
    session_hours: int = Field(12, gt=0)
    cookie_secure: bool = True
