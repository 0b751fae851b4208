"""Settings, from the environment (``ACCUEIL_*``) or a ``.env`` file."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ACCUEIL_", env_file=".env", extra="ignore")

    # Any SQLAlchemy URL; the default is a SQLite file so nothing needs installing.
    database_url: str = "sqlite:///./var/accueil.db"
    # Where reports, caches and the default database live.
    var_dir: str = "./var"
    # Calendar feeds on private, loopback or link-local addresses are refused unless allowed.
    calendar_allow_private_hosts: bool = False
    # A calendar feed's whole fetch (resolve, connect, redirects, body) must finish in this time.
    calendar_fetch_deadline_seconds: float = Field(20.0, gt=0, le=300)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
