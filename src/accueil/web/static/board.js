/* The supervisor's board, live: the supervisor stream (docs/live.md) in the page of /board.
   Plain JavaScript, no build step, nothing fetched from elsewhere. The stream says *when*
   something changed; the server still draws what is shown (htmx fetches the fragment), so
   the page's words stay in its language:
   - `line` (the line changed: a call waits, is offered, an agent changes state) -> the event
     "line" on <body>, which makes htmx fetch /board/now;
   - `event` call.recorded (a call ended: the day's figures moved) -> "figures" on <body>, at
     most once every 2 s, which fetches the figures and the chart.
   The waits shown count up every second here, from what the server said and when.
   A lost link shows at once (the socket's close, or two heartbeats of 10 s unanswered) and
   resumes by itself with growing waits (0.25 s to 5 s), subscribing with the last cursor
   received: the events missed meanwhile are replayed, and the line is sent again at once.
   A process without the switchboard (a standby) refuses the stream: the page says the board
   does not update here, and tries again every 30 s (it may become the leader). */
(() => {
  "use strict";
  const board = document.getElementById("board");
  if (!board) return;
  const link = document.getElementById("link");
  const notice = document.getElementById("elsewhere");
  const csrf = board.dataset.csrf;
  const HEARTBEAT_MS = 10000;
  const FIGURES_EVERY_MS = 2000;
  const ELSEWHERE_RETRY_MS = 30000;
  let cursor = Number(board.dataset.cursor || 0);
  let ws = null;
  let retries = 0;
  let beat = null;
  let unanswered = 0;
  let figuresSoon = null;
  let stopped = false;
  let elsewhere = false; // no switchboard in this process: nothing lost, try again now and then
  // what the tests (and a curious supervisor's console) can read
  const seen = (window.accueilBoard = { lines: 0, losses: 0, subscribed: 0, cursor });

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(scheme + location.host + "/api/v1/supervisor/stream");
    ws.onopen = () => ws.send(JSON.stringify({ type: "subscribe", csrf, cursor }));
    ws.onmessage = (event) => receive(JSON.parse(event.data));
    ws.onclose = lost;
  }

  function lost() {
    ws = null;
    clearInterval(beat);
    if (stopped) return;
    if (elsewhere) {
      setTimeout(connect, ELSEWHERE_RETRY_MS);
      return;
    }
    seen.losses += 1;
    link.hidden = false;
    board.dataset.link = "lost";
    setTimeout(connect, Math.min(5000, 250 * 2 ** retries++));
  }

  function heartbeat() {
    if (unanswered > 1 && ws) {
      ws.close(); // silent for two beats: say so now, reconnect
      return;
    }
    unanswered += 1;
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "heartbeat" }));
  }

  function receive(m) {
    if (m.type === "subscribed") {
      retries = 0;
      unanswered = 0;
      seen.subscribed += 1;
      link.hidden = true;
      notice.hidden = true;
      elsewhere = false;
      board.dataset.link = "up";
      clearInterval(beat);
      beat = setInterval(heartbeat, HEARTBEAT_MS);
      if (seen.subscribed > 1) figures(); // back after a loss: the figures may have moved
    } else if (m.type === "reply") {
      unanswered = 0;
    } else if (m.type === "line") {
      seen.lines += 1;
      document.body.dispatchEvent(new Event("line"));
    } else if (m.type === "event") {
      cursor = seen.cursor = m.cursor;
      if (m.name === "call.recorded") figures();
    } else if (m.type === "error" && (m.code === "not_leader" || m.code === "unavailable")) {
      elsewhere = true; // the line is the switchboard's process's: say so, calmly
      link.hidden = true;
      notice.hidden = false;
      board.dataset.link = "elsewhere";
    } else if (m.type === "error" && (m.code === "unauthenticated" || m.code === "forbidden")) {
      stopped = true;
      location.assign("/sign-in?next=/board");
    }
  }

  function figures() {
    if (figuresSoon) return; // one fetch for a burst of calls ending
    figuresSoon = setTimeout(() => {
      figuresSoon = null;
      document.body.dispatchEvent(new Event("figures"));
    }, FIGURES_EVERY_MS);
  }

  function tick() {
    const now = Date.now();
    document.querySelectorAll("[data-waited]").forEach((el) => {
      if (!el.dataset.at) el.dataset.at = String(now);
      const waited = Number(el.dataset.waited) + (now - Number(el.dataset.at)) / 1000;
      el.textContent = `${Math.round(waited)} s`;
    });
  }

  setInterval(tick, 1000);
  connect();
})();
