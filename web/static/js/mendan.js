/* Mendan page core: text catalogue, page config, small DOM and HTTP helpers. ES5 only. */
var Mendan = (function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent || node.innerText || "{}") : {};
  }

  var text = readJson("mendan-text");
  var config = readJson("mendan-config");

  /* The catalogue string for key, with {name} placeholders filled. */
  function t(key, values) {
    var template = text.hasOwnProperty(key) ? text[key] : key;
    if (!values) {
      return template;
    }
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return values.hasOwnProperty(name) ? String(values[name]) : whole;
    });
  }

  function byId(id) {
    return document.getElementById(id);
  }

  function show(node, visible) {
    if (visible) {
      node.removeAttribute("hidden");
    } else {
      node.setAttribute("hidden", "hidden");
    }
  }

  function setText(node, value) {
    node.textContent = value;
  }

  /* A new element with an optional class and text (what every list and panel of ours is built from). */
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  /*
   * The text for an error code from the server, through this page's own catalogue (so an English
   * page shows English), with the values the server sent filled in ("at most {max_mb} MB").
   */
  function errorText(code, values) {
    return t("error." + (code || "internal"), values || undefined);
  }

  /* The text for a failed reply: its code and values, as errorText. */
  function replyError(code, reply) {
    var error = reply && reply.error;
    return errorText(code, error && error.values);
  }

  /*
   * The one way the pages talk HTTP (XMLHttpRequest: legacy browsers too). options:
   *   method, url, headers (extra ones; the CSRF token is always sent),
   *   body: an object (sent as JSON), a Blob or FormData (sent as is), or null,
   *   onProgress(percent) while the body uploads,
   *   retryServerErrors: a 5xx answer (but 507, storage full) counts as "network", to be retried.
   * callback(errorCode, data) once: errorCode null on success, the server's code, "internal" for
   * an unreadable answer, or "network" when none came.
   */
  function http(options, callback) {
    var xhr = new XMLHttpRequest();
    var body = options.body === undefined ? null : options.body;
    xhr.open(options.method || "GET", options.url, true);
    xhr.setRequestHeader("X-CSRF-Token", config.csrf || "");
    var isForm = typeof window.FormData !== "undefined" && body instanceof window.FormData;
    if (typeof window.Blob !== "undefined" && body instanceof window.Blob) {
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
    } else if (body !== null && !isForm) {
      xhr.setRequestHeader("Content-Type", "application/json");
      body = JSON.stringify(body);
    }
    var headers = options.headers || {};
    for (var name in headers) {
      if (headers.hasOwnProperty(name)) {
        xhr.setRequestHeader(name, headers[name]);
      }
    }
    if (xhr.upload && options.onProgress) {
      xhr.upload.onprogress = function (event) {
        if (event.lengthComputable && event.total > 0) {
          options.onProgress(Math.min(100, Math.floor((event.loaded * 100) / event.total)));
        }
      };
    }
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4) {
        return;
      }
      var data = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch (ignored) {
        data = null;
      }
      var serverTrouble = options.retryServerErrors && xhr.status >= 500 && xhr.status !== 507;
      if (xhr.status === 0 || serverTrouble) {
        callback("network", data);
      } else if (data && data.ok) {
        callback(null, data);
      } else {
        callback(data && data.error ? data.error.code : "internal", data);
      }
    };
    xhr.send(body);
  }

  /* JSON request with the CSRF token: http() for the common case. */
  function request(method, url, body, callback) {
    http({ method: method, url: url, body: body }, callback);
  }

  /*
   * Requests waiting for their reply, each answered exactly once: by its reply, by a timeout, or
   * by failAll when the channel goes away. Used by the signaling socket and the bridge.
   */
  function PendingRequests(prefix, timeoutCode) {
    this.prefix = prefix;
    this.timeoutCode = timeoutCode;
    this.nextId = 1;
    this.waiting = {};
  }

  /* Register callback(errorCode, reply); returns the request id to put on the message. */
  PendingRequests.prototype.add = function (callback, timeout) {
    var self = this;
    var id = this.prefix + this.nextId++;
    this.waiting[id] = {
      callback: callback,
      timer: window.setTimeout(function () {
        self.settle(id, self.timeoutCode, null);
      }, timeout)
    };
    return id;
  };

  /* Answer request id; false when it is not (or no longer) waiting. */
  PendingRequests.prototype.settle = function (id, errorCode, reply) {
    var entry = id && this.waiting[id];
    if (!entry) {
      return false;
    }
    delete this.waiting[id];
    window.clearTimeout(entry.timer);
    entry.callback(errorCode, reply);
    return true;
  };

  PendingRequests.prototype.failAll = function (errorCode) {
    var ids = Object.keys(this.waiting);
    for (var i = 0; i < ids.length; i++) {
      this.settle(ids[i], errorCode, null);
    }
  };

  return {
    PendingRequests: PendingRequests,
    t: t,
    config: config,
    byId: byId,
    show: show,
    setText: setText,
    el: el,
    errorText: errorText,
    replyError: replyError,
    http: http,
    request: request,
    debug: {}
  };
})();
