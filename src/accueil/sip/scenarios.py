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
    held_and_referred: bool = False, media_port: int = 0, hung_up: bool = False,
) -> str:  # fmt: skip
    """A caller from the trunk: INVITE, ringback (180); then 200 → ACK, talk, BYE; or the
    expected refusal (ACKed); or a CANCEL after ``cancel_after_ms`` (200 then 487). When
    ``held_and_referred``, while talking it answers the callee's re-INVITE (put on hold) and
    accepts its REFER (202), both come through the proxy. ``media_port``: where its audio is
    received (an RTP peer of the test's own), else SIPp's media port. ``hung_up``: once
    connected it waits for the BYE (the switchboard ends the call) instead of sending one."""
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

      {_SDP.replace("[media_port]", str(media_port)) if media_port else _SDP}"""
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
    if expect != 200:  # after the phones that rang (each says so) first, maybe
        xml += '<recv response="180" optional="true"/>\n' * 3
        xml += f'<recv response="{expect}"/>\n'
        return xml + _ack_failure(caller, dialled, domain) + "</scenario>\n"
    xml += '<recv response="180" optional="true"/>\n' * 3  # each phone that rings says so
    rtd = ' rtd="setup"' if timed else ""
    if held_and_referred:  # their To, for our BYE after their requests
        xml += f'<recv response="200" rrs="true"{rtd}><action>'
        xml += '<ereg regexp=".*" search_in="hdr" header="To:" assign_to="them"/>'
        xml += "</action></recv>\n"
    else:
        xml += f'<recv response="200" rrs="true"{rtd}/>\n'
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
    if held_and_referred:
        bye = bye.replace("[last_To:]", "To:[$them]")
    xml += f"<send><![CDATA[{ack}]]></send>\n"
    if held_and_referred:
        xml += '<recv request="INVITE"/>\n' + _in_dialog_reply("200 OK", sdp=True)
        xml += '<recv request="ACK"/>\n<recv request="REFER"/>\n'
        xml += _in_dialog_reply("202 Accepted")
    if hung_up:
        xml += '<recv request="BYE"/>\n' + _in_dialog_reply("200 OK")
        return xml + "</scenario>\n"
    xml += f'<pause milliseconds="{talk_ms}"/>\n'
    xml += f'<send retrans="500"><![CDATA[{bye}]]></send>\n<recv response="200"/>\n'
    return xml + "</scenario>\n"


def _in_dialog_reply(status: str, sdp: bool = False) -> str:
    """The caller's answer to a request inside its dialog (the tags are already there)."""
    body = "Content-Length: 0\n"
    if sdp:
        body = "Content-Type: application/sdp\n      Content-Length: [len]\n\n      " + _SDP
    text = f"""
      SIP/2.0 {status}
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      [last_Record-Route:]
      Contact: <sip:caller@[local_ip]:[local_port]>
      {body}"""
    return f"<send><![CDATA[{text}]]></send>\n"


def holding_and_transferring(refer_to: str) -> str:
    """An agent's softphone that answers, puts the caller on hold (a re-INVITE, sendonly), then
    transfers them (REFER to ``refer_to``, ``Refer-Sub: false``: no NOTIFY), and takes the
    caller's BYE. Its requests follow the Record-Route (Route) to the caller's Contact."""
    xml = _HEAD.format(name="callee-refer") + '<recv request="INVITE" rrs="true"><action>'
    xml += '<ereg regexp=".*" search_in="hdr" header="From:" assign_to="them"/>'
    xml += '<ereg regexp=".*" search_in="hdr" header="To:" assign_to="us"/>'
    xml += "</action></recv>\n"
    xml += _reply("180 Ringing") + _reply("200 OK", sdp=True) + '<recv request="ACK"/>\n'
    request = """
      {method} [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: [$us];tag=[pid]callee[call_number]
      To: [$them]
      Call-ID: [call_id]
      CSeq: {cseq} {cseq_method}
      [routes]
      Contact: <sip:callee@[local_ip]:[local_port]>
      Max-Forwards: 70
      {rest}"""
    hold = "Content-Type: application/sdp\n      Content-Length: [len]\n\n      " + _SDP.replace(
        "a=rtpmap:0 PCMU/8000\n", "a=rtpmap:0 PCMU/8000\n      a=sendonly\n"
    )
    reinvite = request.format(method="INVITE", cseq=1, cseq_method="INVITE", rest=hold)
    ack = request.format(method="ACK", cseq=1, cseq_method="ACK", rest="Content-Length: 0\n")
    refer = request.format(
        method="REFER", cseq=2, cseq_method="REFER",
        rest=f"Refer-To: <{refer_to}>\n      Refer-Sub: false\n      Content-Length: 0\n",
    )  # fmt: skip
    xml += '<pause milliseconds="200"/>\n'
    xml += f'<send retrans="500"><![CDATA[{reinvite}]]></send>\n'
    xml += '<recv response="100" optional="true"/>\n<recv response="200"/>\n'
    xml += f"<send><![CDATA[{ack}]]></send>\n"
    xml += f'<send retrans="500"><![CDATA[{refer}]]></send>\n<recv response="202"/>\n'
    xml += '<recv request="BYE"/>\n' + _reply("200 OK")
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
    # an ACK sent again (the caller's retransmission, late under load) is taken, not fatal
    xml += '<recv request="ACK" crlf="true"/>\n<recv request="ACK" optional="true"/>\n'
    xml += '<recv request="BYE"/>\n' + _reply("200 OK")
    return xml + "</scenario>\n"
