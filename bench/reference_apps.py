"""Two reference points for ``bench_api``'s loopback rows, served by the same uvicorn as
``accueil serve`` and asked the same requests by the same clients:

- ``bare``: an ASGI app that reads the request and answers a fixed JSON body (what the server
  and the clients cost by themselves);
- ``hello``: FastAPI with one sync route that validates the same JSON body with pydantic and
  answers a small dict from the thread pool (what the framework adds).
"""

from __future__ import annotations

from fastapi import FastAPI
from pydantic import BaseModel
from starlette.types import Receive, Scope, Send

BODY = b'{"ok":true}'


async def bare(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":  # lifespan: nothing to start
        return
    await receive()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(BODY))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": BODY})


class CallIn(BaseModel):
    to: str
    caller: str = ""
    at: str | None = None


hello = FastAPI()


@hello.get("/readyz")
def ready() -> dict[str, bool]:
    return {"ok": True}


@hello.post("/api/v1/screen-pop")
@hello.post("/api/v1/decide")
def answer(body: CallIn) -> dict[str, str]:
    return {"to": body.to}
