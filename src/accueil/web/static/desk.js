/* The secretary's desk, live: the agents' stream (docs/live.md) in the page of /desk.
   Plain JavaScript, no build step, nothing fetched from elsewhere; the words it shows come
   from the page (template#words, in the page's language), the screen pop from
   template#pop-template, the script's steps from the server (/desk/calls/{call}/script). */
(() => {
  "use strict";
  const desk = document.getElementById("desk");
  if (!desk) return;
  const $ = (id) => document.getElementById(id);
  const csrf = desk.dataset.csrf;
  const words = {};
  $("words").content.querySelectorAll("[data-w]").forEach((e) => {
    words[e.dataset.w] = e.textContent.trim();
  });
  const say = (key, values) => {
    let text = words[key] || key;
    for (const [name, value] of Object.entries(values || {})) text = text.replace(`{${name}}`, value);
    return text;
  };
  const popArea = $("pop");
  const idle = $("idle");
  const link = $("link");
  const stateBox = document.querySelector("[data-testid=agent-state]");
  const stateText = $("state-text");
  const readyButton = $("ready");
  const pauseButton = $("pause");
  const pauseForm = $("pause-form");
  const reason = $("pause-reason");
  const wrapButton = $("wrapup-done");
  const HEARTBEAT_MS = 10000;

  let ws = null;
  let cursor = null;
  let retries = 0;
  let serial = 0;
  let state = "connecting";
  let wasReady = false; // ready when the link was lost: ready again once it is back
  let offer = null; // {call, token, pop, el}
  let onCall = null; // {call, el, pop}
  let beat = null;
  let unanswered = 0;
  let ticker = null;
  let stopped = false;
  const pending = new Map();
  // when each offer's pop was painted, for `make bench BENCH=desk`
  const seen = (window.accueilDesk = { painted: [], losses: 0 });
  const painted = seen.painted;

  // ------------------------------------------------------------------ the link

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(scheme + location.host + "/api/v1/agent/stream");
    ws.onopen = () => send({ type: "login", csrf, cursor });
    ws.onmessage = (event) => receive(JSON.parse(event.data));
    ws.onclose = () => lost();
  }

  function lost() {
    ws = null;
    clearInterval(beat);
    pending.clear();
    if (stopped) return;
    seen.losses += 1;
    if (state !== "lost") wasReady = wasReady || state === "ready";
    link.hidden = false;
    setState("lost");
    const wait = Math.min(5000, 250 * 2 ** retries++);
    setTimeout(connect, wait);
  }

  function send(message, then) {
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    const id = ++serial;
    if (then) pending.set(id, then);
    ws.send(JSON.stringify({ ...message, id }));
    return true;
  }

  function heartbeat() {
    if (unanswered > 1 && ws) {
      ws.close(); // silent for two beats: say so now, reconnect
      return;
    }
    unanswered += 1;
    send({ type: "heartbeat" }, () => {
      unanswered = 0;
    });
  }

  // ------------------------------------------------------------------ what comes in

  function receive(m) {
    if (typeof m.cursor === "number") cursor = m.cursor;
    const then = m.id != null ? pending.get(m.id) : null;
    if (then) {
      pending.delete(m.id);
      then(m);
      return;
    }
    const handlers = { logged_in: loggedIn, offer: offered, revoked, connected, wrapup, paused, error: failed };
    const handler = handlers[m.type];
    if (handler) handler(m);
  }

  function loggedIn() {
    retries = 0;
    unanswered = 0;
    link.hidden = true;
    clearInterval(beat);
    beat = setInterval(heartbeat, HEARTBEAT_MS);
    readyButton.disabled = false;
    pauseButton.disabled = false;
    if (onCall) setState("talking");
    else if (wasReady) ready();
    else setState("logged_in");
  }

  function failed(m) {
    if (m.code === "unauthenticated" || m.code === "forbidden") {
      stopped = true;
      location.assign("/sign-in?next=/desk");
      return;
    }
    if (m.code === "closed" && /newer connection/.test(m.message)) {
      stopped = true; // the desk was opened in another window: that one has the calls now
      link.textContent = say("elsewhere");
      link.hidden = false;
      setState("lost");
      return;
    }
    flash(m);
  }

  function offered(m) {
    clearPop();
    const el = popTemplate();
    fillPop(el, m.pop, m.call);
    offer = { call: m.call, token: m.token, pop: m.pop, el };
    popArea.replaceChildren(el);
    setState("offered");
    countdown(el.querySelector('[data-f="expires"]'), m.expires_in);
    requestAnimationFrame(() =>
      setTimeout(() => painted.push({ call: m.call, at: Date.now(), enqueued: m.enqueued_at }), 0),
    );
    el.querySelector('[data-act="accept"]').focus();
  }

  function revoked(m) {
    if (!offer || offer.call !== m.call) return;
    clearPop();
    show(say("revoked"));
    if (state === "offered") setState(wasReady ? "ready" : "logged_in");
  }

  function connected(m) {
    if (!offer || offer.call !== m.call) return;
    const { el, pop, call } = offer;
    offer = null;
    onCall = { call, el, pop };
    stopCountdown();
    el.querySelector('[data-f="offer-actions"]').hidden = true;
    el.querySelector('[data-f="script-box"]').hidden = false;
    el.querySelector('[data-f="find-box"]').hidden = false;
    el.querySelector('[data-f="call-id"]').value = call;
    window.htmx.process(el);
    window.htmx.ajax("GET", `/desk/calls/${encodeURIComponent(call)}/script`, {
      target: el.querySelector('[data-f="script"]'),
      swap: "innerHTML",
    });
    setState("talking");
  }

  function wrapup(m) {
    setState("wrapup");
    wrapButton.hidden = false;
    countdown(stateText, m.seconds, () => {
      if (state === "wrapup") endWrapup();
    });
  }

  function paused(m) {
    if (offer) clearPop();
    const why = words[`pause:${m.reason}`] || m.reason;
    setState("paused", why);
  }

  // ------------------------------------------------------------------ what goes out

  function ready() {
    send({ type: "ready" }, (m) => {
      if (m.type === "error") return flash(m);
      wasReady = true;
      setState("ready");
    });
  }

  function pause() {
    const why = reason.value;
    send({ type: "pause", reason: why }, (m) => {
      if (m.type === "error") return flash(m);
      wasReady = false;
      setState("paused", words[`pause:${why}`] || why);
    });
  }

  function answer(accepted) {
    if (!offer) return;
    const { call, token } = offer;
    send({ type: accepted ? "accept" : "decline", call, token }, (m) => {
      if (m.type === "error") return flash(m);
      if (!accepted) {
        clearPop();
        setState(wasReady ? "ready" : "logged_in");
      }
    });
  }

  function endWrapup() {
    wrapButton.hidden = true;
    send({ type: "wrapup_done" }, (m) => {
      if (m.type === "error") return;
      setState(wasReady ? "ready" : "logged_in");
    });
    if (onCall && onCall.done) clearPop();
  }

  function finish(form) {
    const answers = {};
    for (const input of form.querySelectorAll('input[type="hidden"][name^="a."]')) {
      answers[input.name.slice(2)] = input.value;
    }
    const call = form.dataset.call;
    const result = form.closest(".pop").querySelector('[data-f="result"]');
    const button = form.querySelector("button");
    button.disabled = true;
    result.className = "saved pending";
    result.textContent = say("saving");
    const sent = send({ type: "finish", call, answers }, (m) => {
      if (m.type === "error") {
        button.disabled = false;
        result.className = "saved error";
        result.textContent = m.message;
        inLanguage(m).then((text) => {
          result.textContent = text;
        });
        return;
      }
      // only now, committed on the server, is the outcome said to be saved
      const person = onCall && onCall.pop && onCall.pop.person ? onCall.pop.person.name : "";
      result.className = "saved done";
      result.textContent = m.message ? say("message_saved", { name: person }) : say("saved");
      result.dataset.message = m.message || "";
      if (onCall) onCall.done = true;
      form.querySelector(".outcome").hidden = true;
    });
    if (!sent) {
      button.disabled = false;
      result.className = "saved error";
      result.textContent = say("lost");
    }
  }

  // ------------------------------------------------------------------ the screen pop

  function popTemplate() {
    return document.getElementById("pop-template").content.firstElementChild.cloneNode(true);
  }

  function fillPop(el, pop, call) {
    const f = (name) => el.querySelector(`[data-f="${name}"]`);
    const set = (name, text) => {
      f(name).textContent = text || "";
    };
    const show = (name, on) => {
      f(name).hidden = !on;
    };
    el.dataset.call = call;
    if (!pop) {
      set("answer", "—");
      show("person-box", false);
      show("first-call", false);
      return;
    }
    const account = pop.account;
    const logo = f("initial");
    logo.textContent = (account.answer_name || "?").trim().charAt(0).toUpperCase();
    logo.style.backgroundColor = account.colour;
    logo.style.color = inkOn(account.colour);
    const greeting = pop.script && pop.script.greeting;
    set("answer", greeting ? greeting.text : account.answer_name);
    set("account", account.answer_name);
    set("hours", [account.hours_now, account.notes].filter(Boolean).join(" · "));
    show("familiar", pop.familiar && (pop.familiar.person || pop.familiar.account));
    const person = pop.person;
    show("person-box", !!person);
    if (person) {
      set("person", person.name);
      set("title", person.title);
      set("pron", person.pronunciation);
      show("pron-box", !!person.pronunciation);
      const st = f("state");
      st.textContent = words[`state:${person.state}`] || person.state;
      st.className = `state state-${person.state}`;
      set("availability", person.availability);
      set("back", person.back_at);
      show("back-box", !!person.back_at);
      set("stale", person.stale);
      show("stale", !!person.stale);
      const reach = person.delegate_reach;
      const ask = reach ? say("delegate_reach", { name: person.delegate, reach }) : say("delegate", { name: person.delegate });
      set("delegate", person.delegate ? ask : "");
      show("delegate-box", !!person.delegate);
    }
    set("treatment", words[`treatment:${pop.treatment}`] || pop.treatment);
    set("explanation", pop.explanation);
    set("caller", pop.caller.number || say("withheld"));
    set("known", pop.caller.known_name);
    const history = f("history");
    for (const past of pop.caller.history || []) {
      const li = document.createElement("li");
      const when = new Date(past.at).toLocaleString(document.documentElement.lang, {
        weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
      });
      li.textContent = [when, past.person || say("switchboard"), past.summary].filter(Boolean).join(" · ");
      if (past.urgency === "urgent") li.className = "urgent";
      history.append(li);
    }
    show("first-call", !(pop.caller.history || []).length);
  }

  function inkOn(colour) {
    const hex = /^#([0-9a-f]{6})$/i.exec(colour || "");
    if (!hex) return "#fff";
    const n = parseInt(hex[1], 16);
    const [r, g, b] = [n >> 16, (n >> 8) & 255, n & 255].map((c) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.18 ? "#111" : "#fff";
  }

  function clearPop() {
    offer = null;
    onCall = null;
    stopCountdown();
    popArea.replaceChildren(idle);
  }

  function countdown(el, seconds, done) {
    stopCountdown();
    const end = Date.now() + seconds * 1000;
    const base = el === stateText ? words.wrapup + " · " : "";
    const tick = () => {
      const left = Math.max(0, Math.ceil((end - Date.now()) / 1000));
      el.textContent = base + say("seconds", { n: left });
      if (left === 0) {
        stopCountdown();
        if (done) done();
      }
    };
    tick();
    ticker = setInterval(tick, 250);
  }

  function stopCountdown() {
    clearInterval(ticker);
    ticker = null;
  }

  // ------------------------------------------------------------------ the state shown

  function setState(name, why) {
    state = name;
    stateBox.dataset.state = name;
    if (name !== "wrapup") wrapButton.hidden = true;
    if (name === "wrapup") return;
    stateText.textContent = why ? `${words[name]} · ${why}` : words[name] || name;
  }

  function flash(error) {
    inLanguage(error).then(show);
  }

  function inLanguage(error) {
    // the stream speaks English and sends the error's words (template and values): the page
    // says them in its language (the English as it came when there are none, or that fails)
    const text = error.message || "";
    if (!error.words) return Promise.resolve(text);
    const words = encodeURIComponent(JSON.stringify(error.words));
    return fetch("/desk/said?words=" + words, { credentials: "same-origin" })
      .then((answer) => (answer.ok ? answer.text() : text))
      .catch(() => text);
  }

  function show(text) {
    const area = document.getElementById("flash");
    const p = document.createElement("p");
    p.className = "error";
    p.textContent = text;
    area.replaceChildren(p);
    setTimeout(() => p.remove(), 6000);
  }

  // ------------------------------------------------------------------ hands and keys

  readyButton.addEventListener("click", ready);
  pauseForm.addEventListener("submit", (event) => {
    event.preventDefault();
    pause();
  });
  wrapButton.addEventListener("click", endWrapup);
  popArea.addEventListener("click", (event) => {
    const act = event.target.closest("[data-act]");
    if (act) answer(act.dataset.act === "accept");
  });
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.matches("form[data-finish]")) {
      event.preventDefault();
      finish(form);
    } else if (!event.defaultPrevented && form.matches("form.script-form[hx-post]")) {
      // Enter in a question htmx has not bound yet (its autofocus comes before htmx processes
      // the swapped form, later still on a loaded machine): never a browser submit that
      // leaves the desk, the step posted as htmx would have
      event.preventDefault();
      window.htmx.ajax("POST", form.getAttribute("hx-post"), { source: form, target: form, swap: "outerHTML" });
    }
  });
  const KEYS = {
    r: ready,
    p: pause,
    a: () => answer(true),
    d: () => answer(false),
    w: () => state === "wrapup" && endWrapup(),
    "/": () => {
      const search = popArea.querySelector(".find-q");
      if (search && !search.closest("[hidden]")) search.focus();
    },
  };
  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest("input, select, textarea");
    if (event.key === "Escape" && typing) {
      event.target.blur();
      return;
    }
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    const action = KEYS[event.key.toLowerCase()];
    if (action) {
      event.preventDefault();
      action();
    }
  });
  window.addEventListener("pagehide", () => {
    stopped = true;
  });

  connect();
})();
