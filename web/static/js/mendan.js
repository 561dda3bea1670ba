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

  /* A message for an error code from the server, through the catalogue. */
  function errorText(code) {
    return t("error." + (code || "internal"));
  }

  /*
   * JSON over XMLHttpRequest (works in legacy browsers too). callback(errorCode, data):
   * errorCode is null on success, a server error code, or "network".
   */
  /*
   * When xhr finishes, callback(errorCode, data) with our JSON shape: errorCode null on success,
   * the server's code, "internal" for an unreadable answer, or "network" when none came.
   */
  function whenAnswered(xhr, callback) {
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
      if (xhr.status === 0) {
        callback("network", null);
      } else if (data && data.ok) {
        callback(null, data);
      } else {
        callback(data && data.error ? data.error.code : "internal", data);
      }
    };
  }

  function request(method, url, body, callback) {
    var xhr = new XMLHttpRequest();
    xhr.open(method, url, true);
    xhr.setRequestHeader("Content-Type", "application/json");
    xhr.setRequestHeader("X-CSRF-Token", config.csrf || "");
    whenAnswered(xhr, callback);
    xhr.send(body === null ? null : JSON.stringify(body));
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
    request: request,
    whenAnswered: whenAnswered,
    debug: {}
  };
})();
