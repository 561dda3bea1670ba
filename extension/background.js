/*
 * Mendan bridge, service worker: one native host process per meeting page. Page messages go to
 * the host after a check in the dispatch table below; everything the host says goes back to that
 * page. The page's origin comes from the browser, never from the page (hello is stamped here).
 *
 * Only meeting origins this computer serves (set at install, or with `mendan-bridge allow`) are
 * answered: the list is asked of the host when the extension is installed and when the browser
 * starts, never because a page asked, so no other site can learn of us or start the host. Only
 * while the host could not be started is it tried again when a page asks (every few seconds at
 * most): it may have been installed since, and the page is told why it failed.
 */
var HOST = "jp.mendan.bridge";
var ORIGINS_KEY = "meeting_origins";
var refreshing = null; // callbacks waiting for the list being asked of the host right now
var refreshedAt = 0;
var REFRESH_AGAIN_AFTER = 60000; // a first start fires both onInstalled and onStartup: ask once
var HOST_ERROR_KEY = "host_error";
var RETRY_BROKEN_HOST_AFTER = 5000;

function refreshOrigins() {
  if (refreshing || Date.now() - refreshedAt < REFRESH_AGAIN_AFTER) {
    return;
  }
  refreshedAt = Date.now();
  refreshing = [];
  chrome.runtime.sendNativeMessage(HOST, { v: 1, type: "list_origins", request_id: "origins" }, function (reply) {
    var failed = chrome.runtime.lastError ? chrome.runtime.lastError.message : "";
    var known = failed || !reply || reply.type !== "origins" ? null : reply.origins;
    function done() {
      var waiting = refreshing;
      refreshing = null;
      waiting.forEach(function (callback) {
        callback();
      });
    }
    var items = {};
    if (known) {
      items[ORIGINS_KEY] = known;
    } else {
      refreshedAt = Date.now() - REFRESH_AGAIN_AFTER + RETRY_BROKEN_HOST_AFTER; // installed meanwhile?
    }
    // Why the host could not be asked: the page then names what to check (mendan-bridge doctor).
    items[HOST_ERROR_KEY] = known ? "" : failed || "no_reply";
    chrome.storage.local.set(items, done);
  });
}

chrome.runtime.onInstalled.addListener(refreshOrigins);
chrome.runtime.onStartup.addListener(refreshOrigins);

/* callback(true, "") for a meeting origin of this computer; false for any other site. The second
   argument says why the host could not be asked ("" when it answered). */
function isMeetingOrigin(origin, callback) {
  var retried = false;
  function look() {
    chrome.storage.local.get([ORIGINS_KEY, HOST_ERROR_KEY], function (items) {
      var origins = (items && items[ORIGINS_KEY]) || [];
      var hostError = (items && items[HOST_ERROR_KEY]) || "";
      var neverAsked = !items || !(ORIGINS_KEY in items || HOST_ERROR_KEY in items); // a page came first
      if ((hostError || neverAsked) && !retried) {
        retried = true;
        refreshOrigins(); // installed or repaired since? (every few seconds at most, only while broken)
        if (refreshing) {
          refreshing.push(look);
          return;
        }
      }
      callback(!!origin && origins.indexOf(origin) >= 0, hostError);
    });
  }
  if (refreshing) {
    refreshing.push(look); // the browser just started: answer from the fresh list
  } else {
    look();
  }
}

chrome.runtime.onMessage.addListener(function (message, sender, reply) {
  if (message && message.type === "may_serve" && sender.tab) {
    isMeetingOrigin(pageOrigin({ sender: sender }), function (serve, hostError) {
      reply({ serve: serve, host_error: hostError });
    });
    return true; // replied asynchronously
  }
  return false;
});

function pageOrigin(port) {
  if (port.sender && port.sender.origin) {
    return port.sender.origin;
  }
  return port.sender && port.sender.url ? new URL(port.sender.url).origin : "";
}

chrome.runtime.onConnect.addListener(function (page) {
  if (page.name !== "mendan-bridge" || !page.sender || !page.sender.tab) {
    page.disconnect();
    return;
  }
  var origin = pageOrigin(page);
  var allowed = null; // until known, what the page sends waits here
  var early = [];
  isMeetingOrigin(origin, function (yes) {
    allowed = yes;
    if (!yes) {
      page.disconnect(); // the content script only connects for meeting origins anyway
      return;
    }
    early.forEach(handle);
    early = [];
  });
  var host = null;

  function toPage(message) {
    try {
      page.postMessage(message);
    } catch (gone) {
      closeHost(); // the tab went away while the host was talking
    }
  }

  function openHost() {
    host = chrome.runtime.connectNative(HOST);
    host.onMessage.addListener(toPage);
    host.onDisconnect.addListener(function () {
      var why = chrome.runtime.lastError ? chrome.runtime.lastError.message : "";
      host = null;
      toPage({ type: "host_closed", reason: why, message: chrome.i18n.getMessage("host_missing") });
    });
    return host;
  }

  function closeHost() {
    if (host) {
      try {
        host.postMessage({ v: 1, type: "shutdown" });
        host.disconnect();
      } catch (ignored) {
        // already gone
      }
      host = null;
    }
  }

  function forward(message) {
    (host || openHost()).postMessage(message);
  }

  var dispatch = {
    // The host trusts the origin it is told: tell it the real one.
    hello: function (message) {
      message.origin = origin;
      forward(message);
    },
    shutdown: function (message) {
      if (host) {
        host.postMessage(message);
      }
    }
  };

  function handle(message) {
    if (!message || typeof message.type !== "string") {
      return;
    }
    (dispatch[message.type] || forward)(message);
  }

  page.onMessage.addListener(function (message) {
    if (allowed === null) {
      early.push(message);
    } else if (allowed) {
      handle(message);
    }
  });
  page.onDisconnect.addListener(closeHost);
});
