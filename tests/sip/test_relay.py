"""Not an open relay: a request that names us in its Route is relayed only inside a dialog this
Kamailio set up; only trunks and authenticated users may start calls."""

from __future__ import annotations

import asyncio
import socket

from sip_world import DOMAIN, Sipp

from accueil.sip.kamailio import Kamailio

_FORGED_BYE = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="forged-bye">
<send retrans="500"><![CDATA[
      BYE sip:victim@127.0.0.1:{victim} SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      Route: <sip:{proxy};lr>
      From: <sip:attacker@[local_ip]>;tag=forged[call_number]
      To: <sip:victim@127.0.0.1>;tag=never-seen
      Call-ID: [call_id]
      CSeq: 2 BYE
      Max-Forwards: 70
      Content-Length: 0
]]></send>
<recv response="404"/>
</scenario>
"""

_UNAUTHENTICATED_INVITE = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="stranger">
<send retrans="500"><![CDATA[
      INVITE sip:alice@{domain} SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:stranger@[local_ip]>;tag=[call_number]
      To: <sip:alice@{domain}>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:stranger@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0
]]></send>
<recv response="407"/>
<send><![CDATA[
      ACK sip:alice@{domain} SIP/2.0
      [last_Via:]
      From: <sip:stranger@[local_ip]>;tag=[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0
]]></send>
</scenario>
"""


def test_a_forged_in_dialog_request_is_not_relayed(kamailio: Kamailio, sipp: Sipp) -> None:
    s = kamailio.settings
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as victim:
        victim.bind(("127.0.0.1", 0))
        victim.settimeout(0.5)
        port = victim.getsockname()[1]
        xml = _FORGED_BYE.format(victim=port, proxy=f"{s.host}:{s.port}")
        refused = asyncio.run(sipp.run("forged-bye", xml))
        assert refused.ok, refused.explain() + kamailio.said()
        try:
            leaked = victim.recv(4096)
        except TimeoutError:
            leaked = b""
    assert leaked == b"", leaked[:200]


def test_a_stranger_may_not_start_a_call(kamailio: Kamailio, sipp: Sipp) -> None:
    challenged = asyncio.run(sipp.run("stranger", _UNAUTHENTICATED_INVITE.format(domain=DOMAIN)))
    assert challenged.ok, challenged.explain()
