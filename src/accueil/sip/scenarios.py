"""SIPp scenarios (XML), written per run by the SIP tests and ``make bench BENCH=sip``: a
softphone registering with digest authentication, callers from the trunk, and agents or phones
that answer, ring out or are busy. Every answer carries the Record-Route it received (SIPp's
built-in UAS does not), so in-dialog requests cross the proxy."""

from __future__ import annotations

_HEAD = '<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="{name}">\n'


def register(user: str, domain: str, contact_port: int, expires: int = 300) -> str:
    """REGISTER, challenged (401), again with the digest (-au/-ap), accepted (200)."""
    request = f"""
      REGISTER sip:{domain} SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:{user}@{domain}>;tag=[pid]reg[call_number]
      To: <sip:{user}@{domain}>
      Call-ID: [call_id]
      CSeq: {{cseq}} REGISTER
      Contact: <sip:{user}@[local_ip]:{contact_port}>
      Max-Forwards: 70
      Expires: {expires}{{auth}}
      Content-Length: 0
    """
    first = request.format(cseq=1, auth="")
    second = request.format(cseq=2, auth="\n      [authentication]")
    return (
        _HEAD.format(name="register")
        + f'<send retrans="500"><![CDATA[{first}]]></send>\n'
        + '<recv response="401" auth="true"/>\n'
        + f'<send retrans="500"><![CDATA[{second}]]></send>\n'
        + '<recv response="200"/>\n</scenario>\n'
    )


def register_unauthorised(user: str, domain: str) -> str:
    """A REGISTER with a wrong password (-ap) is challenged again: 401, never 200."""
    return register(user, domain, 5999).replace('<recv response="200"/>', '<recv response="401"/>')


_SDP = """v=0
      o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000
"""


def caller(
    caller: str, dialled: str, domain: str, *, expect: int = 200, talk_ms: int = 500,
    cancel_after_ms: int = 0, ringback: bool = True, timed: bool = False,
) -> str:  # fmt: skip
    """A caller from the trunk: INVITE, ringback (180); then 200 → ACK, talk, BYE; or the
    expected refusal (ACKed); or a CANCEL after ``cancel_after_ms`` (200 then 487)."""
    invite = f"""
      INVITE sip:{dialled}@{domain} SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:{caller}@[local_ip]>;tag=[pid]caller[call_number]
      To: <sip:{dialled}@{domain}>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:{caller}@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      {_SDP}"""
    start = ' start_rtd="setup"' if timed else ""  # SIPp's timer: INVITE to 200
    xml = _HEAD.format(name="caller") + f'<send retrans="500"{start}><![CDATA[{invite}]]></send>\n'
    xml += '<recv response="100" optional="true"/>\n'
    xml += '<recv response="180"/>\n' if ringback else ""
    if cancel_after_ms:
        cancel = f"""
      CANCEL sip:{dialled}@{domain} SIP/2.0
      [last_Via:]
      From: <sip:{caller}@[local_ip]>;tag=[pid]caller[call_number]
      To: <sip:{dialled}@{domain}>
      Call-ID: [call_id]
      CSeq: 1 CANCEL
      Max-Forwards: 70
      Content-Length: 0
    """
        xml += f'<pause milliseconds="{cancel_after_ms}"/>\n'
        xml += f'<send retrans="500"><![CDATA[{cancel}]]></send>\n'
        # the CANCEL's 200 and the INVITE's 487 come in either order; a late 200 is discarded
        xml += '<recv response="200" optional="true"/>\n<recv response="487"/>\n'
        return xml + _ack_failure(caller, dialled, domain) + "</scenario>\n"
    if expect != 200:
        xml += f'<recv response="{expect}"/>\n'
        return xml + _ack_failure(caller, dialled, domain) + "</scenario>\n"
    xml += '<recv response="180" optional="true"/>\n' * 3  # each phone that rings says so
    xml += '<recv response="200" rrs="true"%s/>\n' % (' rtd="setup"' if timed else "")
    ack = f"""
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:{caller}@[local_ip]>;tag=[pid]caller[call_number]
      [last_To:]
      [routes]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0
    """
    bye = ack.replace("ACK [next_url]", "BYE [next_url]").replace("CSeq: 1 ACK", "CSeq: 2 BYE")
    xml += f'<send><![CDATA[{ack}]]></send>\n<pause milliseconds="{talk_ms}"/>\n'
    xml += f'<send retrans="500"><![CDATA[{bye}]]></send>\n<recv response="200"/>\n'
    return xml + "</scenario>\n"


def _ack_failure(caller: str, dialled: str, domain: str) -> str:
    ack = f"""
      ACK sip:{dialled}@{domain} SIP/2.0
      [last_Via:]
      From: <sip:{caller}@[local_ip]>;tag=[pid]caller[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0
    """
    return f"<send><![CDATA[{ack}]]></send>\n"


_REPLY = """
      SIP/2.0 {status}
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]callee[call_number]
      [last_Call-ID:]
      {cseq}
      [last_Record-Route:]
      Contact: <sip:callee@[local_ip]:[local_port]>
      {body_headers}
"""


def _reply(status: str, cseq: str = "[last_CSeq:]", sdp: bool = False) -> str:
    if sdp:
        body = "Content-Type: application/sdp\n      Content-Length: [len]\n\n      " + _SDP
    else:
        body = "Content-Length: 0\n"
    text = _REPLY.format(status=status, cseq=cseq, body_headers=body)
    return f"<send><![CDATA[{text}]]></send>\n"


def callee(behaviour: str, ring_ms: int = 200) -> str:
    """An agent's softphone or a person's phone: ``answer`` (then the caller's BYE), ``busy``
    (486), or ``no_answer`` (rings until the proxy cancels it: 200 to CANCEL, 487)."""
    xml = _HEAD.format(name=f"callee-{behaviour}")
    if behaviour == "no_answer":  # SIPp refuses a variable that is set and never used
        xml += '<recv request="INVITE"><action>'
        xml += '<ereg regexp="[0-9]+" search_in="hdr" header="CSeq:" assign_to="cseq"/>'
        xml += "</action></recv>\n"
    else:
        xml += '<recv request="INVITE"/>\n'
    if behaviour == "busy":
        xml += _reply("486 Busy Here") + '<recv request="ACK"/>\n'
        return xml + "</scenario>\n"
    xml += _reply("180 Ringing")
    if behaviour == "no_answer":
        xml += '<recv request="CANCEL"/>\n' + _reply("200 OK")
        xml += _reply("487 Request Terminated", cseq="CSeq: [$cseq] INVITE")
        xml += '<recv request="ACK"/>\n'
        return xml + "</scenario>\n"
    xml += f'<pause milliseconds="{ring_ms}"/>\n' + _reply("200 OK", sdp=True)
    xml += '<recv request="ACK" crlf="true"/>\n<recv request="BYE"/>\n' + _reply("200 OK")
    return xml + "</scenario>\n"
