"""Treatments: what happens to a call. Tenant-authored, validated with pydantic.

Each is an object with a ``type``: connect, answer, message, on_call, reject.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Channel = Literal["email", "sms", "webhook", "digest"]
_EMAIL: Channel = "email"


class _Treatment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Answer(_Treatment):
    """The pooled team answers, with the account's or this script."""

    type: Literal["answer"] = "answer"
    script: str | None = Field(None, description="a script id; none: the account's default")
    priority: int = Field(0, ge=0, le=10, description="added to the account tier's priority")
    languages: list[str] = Field(default_factory=list, description="languages the agent needs")


class Message(_Treatment):
    """Take a message, delivered the way the person likes."""

    type: Literal["message"] = "message"
    delivery: list[Channel] = Field(
        default_factory=lambda: [_EMAIL], min_length=1, description="in order of preference"
    )
    urgency: Literal["low", "normal", "urgent"] = "normal"


class Reject(_Treatment):
    """Refuse the call: a busy tone, or a polite recorded refusal (blocked callers)."""

    type: Literal["reject"] = "reject"
    mode: Literal["busy", "polite"] = "polite"
    say: str = Field("", max_length=500, description="what the polite refusal says")


class OnCall(_Treatment):
    """Call the on-call contacts of a rota, in order, then fall back."""

    type: Literal["on_call"] = "on_call"
    rota: str = Field(min_length=1, description="the key of one of the account's rotas")
    timeout: int = Field(30, ge=5, le=300, description="seconds to ring each contact")
    no_answer: NoAnswer = Field(default_factory=Message, description="when nobody answers")


class Ring(_Treatment):
    device: str = Field(min_length=1, description="a device key of the person: 'mobile', 'desk'")
    timeout: int = Field(20, ge=5, le=120, description="seconds to ring it")


class Connect(_Treatment):
    """Ring the person's devices, one after the other or together."""

    type: Literal["connect"] = "connect"
    devices: list[Ring] = Field(min_length=1)
    ring: Literal["sequence", "together"] = "sequence"
    no_answer: NoAnswer = Field(default_factory=Answer, description="when nobody answers")


NoAnswer = Annotated[Answer | Message | OnCall | Reject, Field(discriminator="type")]
Treatment = Annotated[Connect | Answer | Message | OnCall | Reject, Field(discriminator="type")]

OnCall.model_rebuild()
Connect.model_rebuild()
