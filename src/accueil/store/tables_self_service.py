"""Tables of employees' self-service: their own VIP list, and the account's policy on what
employees may do in their own rules.

Append-only like rule versions: each save is a new version, the latest is the one in force,
and the earlier ones stay (nothing deleted is lost).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from accueil.store.tables import Base
from accueil.store.types import UTCDateTime


class VipListVersionRow(Base):
    """One saved version of a person's own VIP list: ``entries`` is ``[{number, name}]``."""

    __tablename__ = "vip_list_versions"
    __table_args__ = (
        UniqueConstraint("person_id", "version", name="uq_vip_list_versions_person_version"),
        Index("ix_vip_list_versions_account", "account_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    entries: Mapped[list[Any]] = mapped_column(default=list)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    saved_by: Mapped[str] = mapped_column(String(100), default="")


class EmployeePolicyVersionRow(Base):
    """One saved version of an account's employee policy (``core.employee_policy``)."""

    __tablename__ = "employee_policy_versions"
    __table_args__ = (
        UniqueConstraint("account_id", "version", name="uq_employee_policy_versions_version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column(default=dict)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    saved_by: Mapped[str] = mapped_column(String(100), default="")
