/*
 * Mendan bridge, content script: a pipe between the meeting page and the extension's service
 * worker. It does nothing until the page speaks first (the page starts the handshake, so no
 * message is lost before the page listens, and pages that never ask see nothing of us), and it
 * answers only pages of this computer's meeting origins: any other site gets no reply at all.
 */
(function () {
  "use strict";

  var FROM_PAGE = "mendan-page";
  var TO_PAGE = "mendan-bridge";
  var port = null;
  var allowed = null; // asked of the service worker once, on the page's first message
  var waiting = [];

  function toPage(message) {
    window.postMessage({ source: TO_PAGE, message: message }, window.location.origin);
  }

  function connect() {
    if (port) {
      return port;
    }
    port = chrome.runtime.connect({ name: "mendan-bridge" });
    port.onMessage.addListener(toPage);
    port.onDisconnect.addListener(function () {
      port = null;
      toPage({ type: "bridge_closed" });
    });
    return port;
  }

  function whenAllowed(then) {
    if (allowed !== null) {
      if (allowed) {
        then();
      }
      return;
    }
    waiting.push(then);
    if (waiting.length > 1) {
      return;
    }
    chrome.runtime.sendMessage({ type: "may_serve" }, function (yes) {
      allowed = !chrome.runtime.lastError && yes === true;
      var queued = waiting;
      waiting = [];
      if (allowed) {
        queued.forEach(function (run) {
          run();
        });
      }
    });
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.source !== window || !data || data.source !== FROM_PAGE || !data.message) {
      return;
    }
    var message = data.message;
    if (typeof message.type !== "string") {
      return;
    }
    whenAllowed(function () {
      answer(message);
    });
  });

  function answer(message) {
    if (message.type === "probe") {
      toPage({ type: "present", version: chrome.runtime.getManifest().version });
      return;
    }
    connect().postMessage(message);
  }
})();
