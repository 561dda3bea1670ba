/*
 * Mendan bridge, service worker: one native host process per meeting page. Page messages go to
 * the host after a check in the dispatch table below; everything the host says goes back to that
 * page. The page's origin comes from the browser, never from the page (hello is stamped here).
 */
var HOST = "jp.mendan.bridge";

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

  page.onMessage.addListener(function (message) {
    if (!message || typeof message.type !== "string") {
      return;
    }
    (dispatch[message.type] || forward)(message);
  });
  page.onDisconnect.addListener(closeHost);
});
