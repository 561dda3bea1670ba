/*
 * Mendan bridge, content script: a pipe between the meeting page and the extension's service
 * worker. It does nothing until the page speaks first (the page starts the handshake, so no
 * message is lost before the page listens, and pages that never ask see nothing of us), and it
 * answers only pages of this computer's meeting origins: any other site gets no reply at all.
 * One exception: while the host cannot be started, no site is known to be a meeting site, so a
 * probe is answered with the host's failure; the page then says what to check (mendan-bridge doctor).
 */
(function () {
  "use strict";

  var FROM_PAGE = "mendan-page";
  var TO_PAGE = "mendan-bridge";
  var port = null;
  var allowed = null; // asked of the service worker once, on the page's first message
  var waiting = [];
  var hostError = ""; // why the host could not be started, when it could not

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
    chrome.runtime.sendMessage({ type: "may_serve" }, function (answer) {
      allowed = !chrome.runtime.lastError && !!answer && answer.serve === true;
      hostError = (!allowed && answer && answer.host_error) || "";
      var queued = waiting;
      waiting = [];
      if (hostError) {
        toPage({ type: "present", version: chrome.runtime.getManifest().version, host_error: hostError });
        allowed = null; // ask again on the next probe: the host may be installed meanwhile
      } else if (allowed) {
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
