"""Kamailio's configuration, written from the template beside this module.

The settings say where Kamailio listens, the SIP domain (the registrar's realm), the accounts
that may register (secretaries' softphones, employees' SIP phones) with their passwords (only
their HA1 digests reach the file), which sources are trunks (their new calls are decided by
accueil) and where accueil's evapi link connects.
"""

from __future__ import annotations

import glob
import hashlib
import ipaddress
import re
from dataclasses import dataclass, field
from importlib.resources import files
from string import Template

from accueil.errors import InvalidInput, says

_USER = re.compile(r"^[A-Za-z0-9._+-]{1,64}$")
_DOMAIN = re.compile(r"^[A-Za-z0-9.-]{1,253}$")
_STATIC = re.compile(r"^sip:[A-Za-z0-9._+-]+@[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


class _Cfg(Template):
    delimiter = "@@"


@dataclass(frozen=True)
class SipSettings:
    """Everything the written configuration depends on."""

    port: int
    evapi_port: int
    domain: str = "accueil.test"
    host: str = "127.0.0.1"
    evapi_host: str = "127.0.0.1"
    accounts: dict[str, str] = field(default_factory=dict)  # SIP user -> password
    trunks: tuple[str, ...] = ()  # sources whose new calls accueil decides: "ip" or "ip:port"
    children: int = 2
    debug: int = 1  # Kamailio's log level: 1 errors and warnings, 2 notices, 3 info
    max_wait_seconds: int = 900
    # how long Kamailio waits for a first reply to a request when nothing else says (tm's
    # fr_timer, its default 30 s): a relayed BYE or OPTIONS, a softphone's call; not a held
    # caller (held up to max_wait_seconds) nor a rung secretary (accueil's reply time)
    fr_timer_seconds: int = 30
    default_expires: int = 300
    max_expires: int = 3600
    min_expires: int = 10
    # presence: how often expired registrations are looked for and contacts pinged (OPTIONS),
    # and how long a softphone may leave the pings unanswered before its registration is
    # dropped (0: no pings)
    check_seconds: int = 10
    # requests from one address in 2 s beyond which it is dropped for a while (not trunks, not
    # sites where a softphone registered)
    flood_requests: int = 60
    max_message_bytes: int = 8192  # a larger request is refused (513)
    keepalive_timeout: int = 60
    # Relay every trunk call to this SIP URI without asking accueil (a static relay: the
    # benchmark's baseline, or a fallback while accueil is down); "" asks accueil.
    static_route: str = ""

    def __post_init__(self) -> None:
        for name in ("port", "evapi_port"):
            if not 0 < getattr(self, name) < 65536:
                raise InvalidInput(
                    says("sip.%(name)s must be a port (1-65535)", name=name), field=f"sip.{name}"
                )
        if self.fr_timer_seconds < 1:
            raise InvalidInput(
                says("sip.fr_timer_seconds must be 1 s or more"), field="sip.fr_timer_seconds"
            )
        if not _DOMAIN.match(self.domain):
            raise InvalidInput(
                says("sip.domain %(domain)r is not a domain", domain=self.domain),
                field="sip.domain",
            )
        for user in self.accounts:
            if not _USER.match(user):
                raise InvalidInput(
                    says("SIP user %(user)r: letters, digits and . _ + - only", user=user),
                    field=f"sip.accounts.{user}",
                )
        for trunk in self.trunks:
            _trunk_condition(trunk)
        if self.static_route and not _STATIC.match(self.static_route):
            raise InvalidInput(
                says("sip.static_route %(route)r is not a sip: URI", route=self.static_route),
                field="sip.static_route",
            )

    def ha1(self, user: str) -> str:
        """The digest HA1 of ``user``: md5(user:realm:password)."""
        secret = f"{user}:{self.domain}:{self.accounts[user]}"
        return hashlib.md5(secret.encode(), usedforsecurity=False).hexdigest()


def modules_dir() -> str:
    """Where Debian puts Kamailio's modules (multiarch), or "" when Kamailio is not installed."""
    found = sorted(glob.glob("/usr/lib/*/kamailio/modules/tm.so"))
    return found[0].removesuffix("tm.so") if found else ""


def render(settings: SipSettings, modules: str | None = None) -> str:
    """The configuration file's text."""
    template = files("accueil.sip").joinpath("kamailio.cfg.tmpl").read_text(encoding="utf-8")
    accounts = "\n".join(
        f'\t$sht(ha1=>{user}) = "{settings.ha1(user)}";' for user in sorted(settings.accounts)
    )
    trunks = "\n".join(f"\tif ({_trunk_condition(t)}) {{ return 1; }}" for t in settings.trunks)
    return _Cfg(template).substitute(
        debug=settings.debug,
        children=settings.children,
        host=settings.host,
        port=settings.port,
        domain=settings.domain,
        modules=modules if modules is not None else modules_dir(),
        max_wait_ms=settings.max_wait_seconds * 1000,
        fr_timer_ms=settings.fr_timer_seconds * 1000,
        default_expires=settings.default_expires,
        max_expires=settings.max_expires,
        min_expires=settings.min_expires,
        flood_requests=settings.flood_requests,
        max_message_bytes=settings.max_message_bytes,
        check_seconds=settings.check_seconds,
        keepalive_timeout=settings.keepalive_timeout,
        keepalive_mode=1 if settings.keepalive_timeout else 0,
        evapi_host=settings.evapi_host,
        evapi_port=settings.evapi_port,
        accounts=accounts or '\txlog("L_NOTICE", "no SIP account: nobody may register\\n");',
        trunks=trunks or "\t# no trunk",
        static=_static(settings.static_route),
    )


def _static(uri: str) -> str:
    if not uri:
        return "\t# every trunk call is decided by accueil"
    return f'\t$ru = "{uri}";\n\tif (!t_relay()) {{\n\t\tsl_reply_error();\n\t}}\n\texit;'


def _trunk_condition(trunk: str) -> str:
    host, _, port = trunk.rpartition(":") if trunk.count(":") == 1 else (trunk, "", "")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise InvalidInput(
            says("trunk %(trunk)r: an IP address, optionally with :port", trunk=trunk),
            field="sip.trunks",
        ) from None
    if not port:
        return f'$si == "{host}"'
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise InvalidInput(
            says("trunk %(trunk)r: the port must be 1-65535", trunk=trunk), field="sip.trunks"
        )
    return f'$si == "{host}" && $sp == {int(port)}'
