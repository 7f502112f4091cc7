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
      return Promise.resolve(api.config());
    },

    /** A contact and its company; {visitor_id} adopts (and stores) that visitor id, and a
     * {user_hash} is kept for the calls that follow. */
    identify: function (payload) {
      var fields = copy({}, payload);
      return send(
        "identify",
        fields,
        fields.visitor_id ? String(fields.visitor_id) : null,
        fields.user_hash ? String(fields.user_hash) : null
      );
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
      return Promise.resolve(null);
    },

    visitorId: visitorId,

    config: function () {
      return { projectId: config.projectId, apiBase: config.apiBase, visitorId: visitorId() };
    }
  };

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
})(window, document);
