/*
 * halcrm widget SDK: window.HalWidget. Plain JavaScript, no build step, no dependencies.
 *
 * Every method answers a Promise: it resolves to the server's JSON answer, or rejects with an
 * Error carrying .code and .detail (from the API's error body) and .status (0 when the server
 * could not be reached). Calls are sent one at a time, in the order they were made, so an
 * identify made just before a setStage reaches the server first. Calls made before this file
 * loaded were queued by the embed snippet's stub in HalWidget.q; they are replayed here, in
 * order, and their promises settle as the answers arrive.
 */
(function (w, d) {
  "use strict";
  var previous = w.HalWidget;
  if (previous && previous.loaded) return; // The snippet was pasted twice.

  var STORAGE_KEY = "halcrm_visitor_id";
  var script = d.currentScript || findScript();
  var config = {
    projectId: attr("data-project-id"),
    apiBase: attr("data-api-base") || originOf(script && script.src),
    userHash: attr("data-user-hash"),
    chat: attr("data-chat") === "on",
    onRequest: null
  };
  var memoryVisitor = null; // Used when localStorage is unavailable (privacy modes, iframes).
  // The user_hash an identify() carried: sent with the calls after it, until init({userHash})
  // or reset() (HAL's and Intercom's SDKs keep it for the page, too).
  var identifiedHash = null;
  var chain = Promise.resolve();

  function findScript() {
    var all = d.getElementsByTagName("script");
    for (var i = all.length - 1; i >= 0; i--) {
      if (/\/widget\.js(\?|#|$)/.test(all[i].src)) return all[i];
    }
    return null;
  }

  function attr(name) {
    return (script && script.getAttribute(name)) || null;
  }

  function originOf(url) {
    try {
      return new URL(url, d.baseURI).origin;
    } catch (e) {
      return w.location.origin;
    }
  }

  function newId(prefix) {
    var c = w.crypto;
    if (c && c.randomUUID) return prefix + c.randomUUID();
    return prefix + Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  }

  function newVisitorId() {
    return newId("v_");
  }

  // A call that got no answer (the network, or a server restarting: 502-504) is sent again
  // with the same message_id, which the server answers once (API.md, Idempotency).
  var RETRIES = 2;
  function retryable(status) {
    return status === 0 || status === 502 || status === 503 || status === 504;
  }

  function storeVisitor(id) {
    memoryVisitor = id;
    try {
      w.localStorage.setItem(STORAGE_KEY, id);
    } catch (e) {
      /* Storage refused: the id lives as long as the page. */
    }
  }

  function visitorId() {
    var id = null;
    try {
      id = w.localStorage.getItem(STORAGE_KEY);
    } catch (e) {
      id = null;
    }
    id = id || memoryVisitor;
    if (!id) {
      id = newVisitorId();
      storeVisitor(id);
    }
    return id;
  }

  function failure(status, code, detail) {
    var error = new Error(code + ": " + detail);
    error.name = "HalWidgetError";
    error.status = status;
    error.code = code;
    error.detail = detail;
    return error;
  }

  function copy(target, source) {
    for (var key in source || {}) {
      if (Object.prototype.hasOwnProperty.call(source, key) && source[key] !== undefined) {
        target[key] = source[key];
      }
    }
    return target;
  }

  function report(info) {
    if (typeof config.onRequest === "function") {
      try {
        config.onRequest(info);
      } catch (e) {
        /* A broken logger must not break the call. */
      }
    }
  }

  // Builds the body when the call's turn comes, so an identify that adopts a visitor id
  // changes the calls after it, not the ones still waiting before it.
  function send(path, fields, adoptVisitor, adoptHash) {
    var messageId = newId("m_");
    var run = function () {
      if (adoptVisitor) storeVisitor(adoptVisitor);
      if (adoptHash) identifiedHash = adoptHash;
      if (!config.projectId) {
        return Promise.reject(
          failure(0, "not_configured", "no project id: set data-project-id or call init()")
        );
      }
      var body = copy({ app_id: config.projectId, visitor_id: visitorId() }, fields);
      var hash = identifiedHash || config.userHash;
      if (hash && body.user_hash === undefined) body.user_hash = hash;
      if (body.message_id === undefined) body.message_id = messageId;
      var url = config.apiBase.replace(/\/+$/, "") + "/api/widget/" + path;
      var info = { path: path, url: url, body: body };
      var attempt = function (n) {
        return w
          .fetch(url, {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify(body),
            credentials: "omit"
          })
          .then(
            function (response) {
              if (retryable(response.status) && n < RETRIES) return later(n);
              return response.text().then(function (text) {
                var answer = null;
                try {
                  answer = text ? JSON.parse(text) : null;
                } catch (e) {
                  answer = null;
                }
                info.status = response.status;
                info.answer = answer;
                report(info);
                if (response.ok) return answer;
                answer = answer || {};
                throw failure(
                  response.status,
                  answer.error || "http_" + response.status,
                  answer.detail || response.statusText || "the server refused the call"
                );
              });
            },
            function (e) {
              if (n < RETRIES) return later(n);
              info.status = 0;
              info.answer = null;
              report(info);
              throw failure(0, "network_error", "could not reach " + url + ": " + e.message);
            }
          );
      };
      var later = function (n) {
        return new Promise(function (done) {
          w.setTimeout(done, 250 * Math.pow(2, n));
        }).then(function () {
          return attempt(n + 1);
        });
      };
      return attempt(0);
    };
    var result = chain.then(run, run);
    chain = result.then(noop, noop);
    return result;
  }

  function noop() {}

  // The object form of a call: track({name, value}) rather than track(name, value).
  function isFields(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function options(extra, allowed) {
    var out = {};
    for (var i = 0; i < allowed.length; i++) {
      if (extra && extra[allowed[i]] !== undefined) out[allowed[i]] = extra[allowed[i]];
    }
    return out;
  }

  var api = {
    loaded: true,

    /** Sets projectId, apiBase, userHash (and onRequest, a logger) over the script tag's. */
    init: function (settings) {
      copy(config, settings);
      if (settings && settings.userHash !== undefined) identifiedHash = null;
      if (config.chat) whenReady(startChat);
      return Promise.resolve(api.config());
    },

    /** A contact and its company; {visitor_id} adopts (and stores) that visitor id, and a
     * {user_hash} is kept for the calls that follow. Every field goes as given, the company
     * claims too: {company: {id, hash}} and {company_ids, company_hashes} (the HMACs of the
     * company ids, needed for a shared company where verification is required). */
    identify: function (payload) {
      var fields = copy({}, payload);
      var sent = send(
        "identify",
        fields,
        fields.visitor_id ? String(fields.visitor_id) : null,
        fields.user_hash ? String(fields.user_hash) : null
      );
      sent.then(function () {
        if (chat) chat.restart(fields.name || fields.email || null);
      }, noop);
      return sent;
    },

    setProperties: function (properties) {
      return send("set-properties", { properties: properties || {} });
    },

    /** track(name, value, {company_id}) or track({name, value, company_id}). */
    track: function (name, value, extra) {
      if (isFields(name)) {
        return send("track", options(name, ["name", "value", "company_id"]));
      }
      return send("track", copy({ name: name, value: value }, options(extra, ["company_id"])));
    },

    /** setStage(stage, {company_id, stage_update_mode}) or setStage({stage, company_id,
     * stage_update_mode}). */
    setStage: function (stage, extra) {
      if (isFields(stage)) {
        return send("set-stage", options(stage, ["stage", "company_id", "stage_update_mode"]));
      }
      var fields = options(extra, ["company_id", "stage_update_mode"]);
      fields.stage = stage;
      return send("set-stage", fields);
    },

    /** setDeal({deal_value, stage, company_id, stage_update_mode}) or setDeal(deal_value,
     * {stage, company_id, stage_update_mode}). */
    setDeal: function (deal, extra) {
      var allowed = ["deal_value", "stage", "company_id", "stage_update_mode"];
      if (isFields(deal)) return send("set-deal", options(deal, allowed));
      var fields = options(extra, allowed.slice(1));
      fields.deal_value = deal;
      return send("set-deal", fields);
    },

    /** Forgets the visitor (e.g. on logout): the next call gets a new anonymous id. */
    reset: function () {
      memoryVisitor = null;
      identifiedHash = null;
      try {
        w.localStorage.removeItem(STORAGE_KEY);
      } catch (e) {
        /* Nothing stored. */
      }
      if (chat) chat.restart(null);
      return Promise.resolve(null);
    },

    visitorId: visitorId,

    /** Opens (starting it when off) or closes the chat panel. */
    openChat: function () {
      config.chat = true;
      whenReady(function () {
        startChat();
        if (chat) chat.open();
      });
      return Promise.resolve(null);
    },
    closeChat: function () {
      if (chat) chat.close();
      return Promise.resolve(null);
    },

    config: function () {
      return { projectId: config.projectId, apiBase: config.apiBase, visitorId: visitorId() };
    }
  };

  // ---- The chat (off unless data-chat="on" or init({chat: true})). ----
  // Drawn in a Shadow DOM, so the host page's CSS neither reaches it nor is reached by it;
  // every text a person wrote is set with textContent, never parsed as HTML.
  var chat = null;
  var OUTBOX_KEY = "halcrm_chat_outbox";
  var SVG = "http://www.w3.org/2000/svg";
  var CSS =
    ":host{all:initial}*{box-sizing:border-box;font:14px/1.4 system-ui,sans-serif;margin:0}" +
    ".l{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:56px;height:56px;" +
    "border-radius:50%;border:0;background:#1f6feb;color:#fff;font-size:24px;cursor:pointer}" +
    ".l svg{display:block;width:28px;height:28px;margin:auto;fill:currentColor}" +
    ".b{position:absolute;top:-4px;right:-4px;min-width:20px;padding:0 5px;border-radius:10px;" +
    "background:#d1242f;color:#fff;font-size:12px;line-height:20px}[hidden]{display:none!important}" +
    ".p{position:fixed;right:20px;bottom:88px;z-index:2147483000;width:340px;max-width:calc(100vw - 40px);" +
    "height:440px;max-height:calc(100vh - 120px);display:flex;flex-direction:column;background:#fff;" +
    "color:#1f2328;border:1px solid #d0d7de;border-radius:12px;box-shadow:0 8px 24px #0003}" +
    "header{display:flex;align-items:center;gap:8px;padding:10px 12px;background:#1f6feb;color:#fff;" +
    "border-radius:12px 12px 0 0}header h2{flex:1;font-weight:600}header button{background:none;" +
    "border:0;color:#fff;font-size:18px;cursor:pointer}.s{padding:4px 12px;background:#fff8c5;font-size:12px}" +
    "ol{flex:1;overflow-y:auto;list-style:none;padding:10px 12px;display:flex;flex-direction:column;gap:6px}" +
    "li{max-width:80%;padding:6px 10px;border-radius:10px;white-space:pre-wrap;overflow-wrap:anywhere}" +
    "li.visitor{align-self:flex-end;background:#1f6feb;color:#fff}li.agent{align-self:flex-start;" +
    "background:#eaeef2;color:#1f2328}li.pending{opacity:.6}li.failed{background:#ffebe9;color:#82071e}" +
    "time{display:block;font-size:11px;opacity:.75}form{display:flex;gap:6px;padding:8px;" +
    "border-top:1px solid #d0d7de}textarea{flex:1;resize:none;height:40px;padding:6px;border:1px solid " +
    "#d0d7de;border-radius:6px;color:#1f2328;background:#fff}form button{padding:0 12px;border:0;" +
    "border-radius:6px;background:#1f6feb;color:#fff;cursor:pointer}:focus-visible{outline:2px solid #fb8500}";

  function whenReady(fn) {
    if (d.body) fn();
    else d.addEventListener("DOMContentLoaded", fn);
  }

  function el(tag, props, parent) {
    var node = d.createElement(tag);
    for (var k in props) {
      if (k === "text") node.textContent = props[k];
      else node.setAttribute(k, props[k]);
    }
    if (parent) parent.appendChild(node);
    return node;
  }

  function chatUrl(path) {
    var q = "app_id=" + encodeURIComponent(config.projectId) + "&visitor_id=" + encodeURIComponent(visitorId());
    var hash = identifiedHash || config.userHash;
    if (hash) q += "&user_hash=" + encodeURIComponent(hash);
    return config.apiBase.replace(/\/+$/, "") + "/api/widget/chat/" + path + "?" + q;
  }

  function clock(iso) {
    var t = new Date(iso);
    if (isNaN(t)) return "";
    return ("0" + t.getHours()).slice(-2) + ":" + ("0" + t.getMinutes()).slice(-2);
  }

  function loadOutbox() {
    try {
      var stored = JSON.parse(w.localStorage.getItem(OUTBOX_KEY) || "[]");
      return Array.isArray(stored) ? stored : [];
    } catch (e) {
      return [];
    }
  }

  function Chat() {
    var self = this;
    var host = el("div", { "data-halcrm-chat": "" });
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    el("style", { text: CSS }, root);
    var launcher = el("button", { class: "l", type: "button", "aria-label": "Open chat", "aria-expanded": "false" }, root);
    // A drawn bubble, not an emoji: a page without an emoji font showed a box. The button's
    // label names it; the drawing itself is hidden from screen readers.
    var icon = d.createElementNS(SVG, "svg");
    icon.setAttribute("viewBox", "0 0 24 24");
    icon.setAttribute("aria-hidden", "true");
    icon.setAttribute("focusable", "false");
    var bubble = d.createElementNS(SVG, "path");
    bubble.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z");
    icon.appendChild(bubble);
    launcher.appendChild(icon);
    var badge = el("span", { class: "b", hidden: "", "aria-label": "unread replies" }, launcher);
    var panel = el("section", { class: "p", role: "dialog", "aria-label": "Chat", hidden: "" }, root);
    var head = el("header", {}, panel);
    var title = el("h2", { text: "Chat with us" }, head);
    var close = el("button", { type: "button", "aria-label": "Close chat", text: "\u00d7" }, head);
    var status = el("p", { class: "s", role: "status", hidden: "" }, panel);
    var list = el("ol", { role: "log", "aria-live": "polite", "aria-label": "Messages" }, panel);
    var form = el("form", {}, panel);
    var input = el("textarea", { "aria-label": "Message", placeholder: "Write a message\u2026", maxlength: "2000" }, form);
    el("button", { type: "submit", text: "Send" }, form);
    d.body.appendChild(host);
    var shown = {}; // message id -> true: a line comes once, from the history or the stream
    var unread = 0;
    var outbox = loadOutbox();
    var source = null;
    var retryTimer = null;
    var name = null;

    function setStatus(text) {
      status.textContent = text || "";
      if (text) status.removeAttribute("hidden");
      else status.setAttribute("hidden", "");
    }

    function saveOutbox() {
      try {
        w.localStorage.setItem(OUTBOX_KEY, JSON.stringify(outbox));
      } catch (e) {
        /* The outbox lives as long as the page. */
      }
    }

    function line(m, cls) {
      var li = el("li", { class: cls, "data-id": m.id || "" }, list);
      el("span", { text: m.body }, li);
      el("time", { datetime: m.created_at || "", text: (m.author === "agent" ? "Team \u00b7 " : "") + clock(m.created_at) }, li);
      list.scrollTop = list.scrollHeight;
      return li;
    }

    function add(m, old) {
      var pending = m.message_id && list.querySelector('li[data-id="p_' + m.message_id + '"]');
      if (pending) pending.remove();
      if (shown[m.id]) return;
      shown[m.id] = true;
      line(m, m.author === "agent" ? "agent" : "visitor");
      if (!old && m.author === "agent" && panel.hasAttribute("hidden")) {
        unread += 1;
        badge.textContent = String(unread);
        badge.removeAttribute("hidden");
        launcher.setAttribute("aria-label", "Open chat, " + unread + " unread");
      }
    }

    function header() {
      title.textContent = name ? "Chat \u00b7 " + name : "Chat with us";
    }

    function history() {
      return w.fetch(chatUrl("messages"), { credentials: "omit" }).then(function (r) {
        return r.json().then(function (answer) {
          if (!r.ok) throw failure(r.status, answer.error, answer.detail);
          list.textContent = "";
          shown = {};
          if (answer.name) name = answer.name;
          header();
          answer.messages.forEach(function (m) {
            add(m, true); // history is not news: no unread count
          });
          outbox.forEach(function (m) {
            line({ id: "p_" + m.message_id, body: m.body }, "visitor pending");
          });
          setStatus("");
          flush();
        });
      });
    }

    function connect() {
      if (source) source.close();
      if (!w.EventSource) return;
      source = new w.EventSource(chatUrl("stream"));
      source.addEventListener("ready", function () {
        history().catch(refused);
      });
      source.addEventListener("message", function (e) {
        try {
          add(JSON.parse(e.data));
        } catch (err) {
          /* Not a line of this chat. */
        }
      });
      source.onerror = function () {
        setStatus("Offline \u2014 reconnecting\u2026");
        if (source.readyState === 2) {
          // Closed for good (a refusal, not the network): ask why, or try again later.
          history().then(connectLater, refused);
        }
      };
    }

    function connectLater() {
      w.setTimeout(connect, 3000);
    }

    function refused(e) {
      if (e && e.status >= 400 && e.status < 500 && e.status !== 429) {
        setStatus("Chat unavailable: " + (e.detail || e.code));
        if (source) source.close();
      } else {
        setStatus("Offline \u2014 reconnecting\u2026");
        connectLater();
      }
    }

    // Unsent messages stay in the outbox (and localStorage) and go out in order, each with
    // its message_id, so a retry after a lost answer is written once.
    var sending = false;
    var delay = 1000;
    function flush() {
      if (sending || !outbox.length) return;
      sending = true;
      var m = outbox[0];
      var body = { app_id: config.projectId, visitor_id: visitorId(), body: m.body, message_id: m.message_id };
      var hash = identifiedHash || config.userHash;
      if (hash) body.user_hash = hash;
      w.fetch(config.apiBase.replace(/\/+$/, "") + "/api/widget/chat/messages", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        credentials: "omit"
      })
        .then(function (r) {
          return r.json().then(function (answer) {
            return { status: r.status, answer: answer, wait: Number(r.headers.get("Retry-After")) };
          });
        })
        .then(
          function (res) {
            sending = false;
            if (res.status === 201) {
              outbox.shift();
              saveOutbox();
              delay = 1000;
              res.answer.message.message_id = m.message_id;
              add(res.answer.message);
              setStatus("");
              return flush();
            }
            if (res.status === 429 || res.status >= 500) return later(res.wait * 1000 || delay);
            outbox.shift(); // refused for good: say so beside the line
            saveOutbox();
            var li = list.querySelector('li[data-id="p_' + m.message_id + '"]');
            if (li) li.className = "visitor failed";
            setStatus("Not sent: " + ((res.answer && res.answer.detail) || res.status));
            flush();
          },
          function () {
            sending = false;
            setStatus("Offline \u2014 your message will be sent when the connection is back");
            later(delay);
          }
        );
    }

    function later(ms) {
      delay = Math.min(delay * 2, 30000);
      w.clearTimeout(retryTimer);
      retryTimer = w.setTimeout(flush, ms);
    }

    function open() {
      panel.removeAttribute("hidden");
      launcher.setAttribute("aria-expanded", "true");
      unread = 0;
      badge.setAttribute("hidden", "");
      launcher.setAttribute("aria-label", "Open chat");
      input.focus();
      list.scrollTop = list.scrollHeight;
    }

    function hide() {
      panel.setAttribute("hidden", "");
      launcher.setAttribute("aria-expanded", "false");
      launcher.focus();
    }

    launcher.addEventListener("click", function () {
      if (panel.hasAttribute("hidden")) open();
      else hide();
    });
    close.addEventListener("click", hide);
    panel.addEventListener("keydown", function (e) {
      if (e.key === "Escape") hide();
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey) {
        e.preventDefault();
        form.requestSubmit ? form.requestSubmit() : self.send();
      }
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      self.send();
    });
    w.addEventListener("online", function () {
      delay = 1000;
      flush();
      connect();
    });

    self.send = function () {
      var text = input.value.replace(/^\s+|\s+$/g, "");
      if (!text) return;
      input.value = "";
      var m = { message_id: newId("c_"), body: text };
      outbox.push(m);
      saveOutbox();
      line({ id: "p_" + m.message_id, body: text }, "visitor pending");
      flush();
    };
    self.restart = function (who) {
      name = who;
      header();
      connect();
    };
    self.open = open;
    self.close = hide;
    connect();
  }

  function startChat() {
    if (!chat && config.projectId) chat = new Chat();
  }

  var queue = (previous && previous.q) || [];
  api.q = [];
  w.HalWidget = api;
  // Replays the stub's queue in order; send() keeps the requests themselves in order.
  for (var i = 0; i < queue.length; i++) {
    var entry = queue[i];
    var method = api[entry[0]];
    var settle = method
      ? method.apply(api, Array.prototype.slice.call(entry[1] || []))
      : Promise.reject(failure(0, "unknown_method", "HalWidget has no method " + entry[0]));
    if (entry[2]) settle.then(entry[2], entry[3]);
  }
  if (config.chat) whenReady(startChat);
})(window, document);
