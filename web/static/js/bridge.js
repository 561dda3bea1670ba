/*
 * The Mendan bridge, page side: for a browser without WebRTC, the extension and the native host
 * (native_host/PROTOCOL.md) provide the peer connections. This file holds the client that talks
 * to them through window.postMessage (request ids, timeouts), the handshake that turns the
 * "bridge" capability on, and BridgePeerLink, which has the same interface as PeerLink.
 * ES5 syntax only: legacy browsers load this page.
 */
(function (Mendan, P) {
  "use strict";

  var FROM_PAGE = "mendan-page";
  var FROM_BRIDGE = "mendan-bridge";
  var REQUEST_TIMEOUT = 15000;
  var CONSENT_TIMEOUT = 180000; // the person answers the host's own window
  var PROBE_TIMEOUT = 1500;

  function BridgeClient() {
    var self = this;
    this.pending = new Mendan.PendingRequests("b", "bridge_timeout");
    this.listeners = {};
    this.ready = false;
    this.welcome = null;
    window.addEventListener("message", function (event) {
      var data = event.data;
      if (event.source === window && data && data.source === FROM_BRIDGE && data.message) {
        self.receive(data.message);
      }
    });
  }

  BridgeClient.prototype.post = function (message) {
    message.v = 1;
    window.postMessage({ source: FROM_PAGE, message: message }, window.location.origin);
  };

  BridgeClient.prototype.on = function (type, listener) {
    (this.listeners[type] = this.listeners[type] || []).push(listener);
  };

  BridgeClient.prototype.receive = function (message) {
    if (this.pending.settle(message.request_id, message.type === "error" ? message.error.code : null, message)) {
      return;
    }
    if (message.type === "host_closed" || message.type === "bridge_closed") {
      this.pending.failAll("bridge_unavailable");
    }
    var listeners = this.listeners[message.type] || [];
    for (var i = 0; i < listeners.length; i++) {
      listeners[i](message);
    }
  };

  /* Send a request; callback(errorCode, reply) exactly once (a timeout is an error too). */
  BridgeClient.prototype.request = function (message, callback, timeout) {
    message.request_id = this.pending.add(callback, timeout || REQUEST_TIMEOUT);
    this.post(message);
  };

  /* Is the extension there, and does its host serve this origin? callback(ready) when the
     extension answers or PROBE_TIMEOUT passes; again if the extension answers after that (a busy
     computer can take longer to start its service worker and to fail starting the host, and the
     page must then still say what to check instead of "no WebRTC"). */
  BridgeClient.prototype.handshake = function (callback) {
    var self = this;
    var answered = false;
    var timer = window.setTimeout(function () {
      callback(false);
    }, PROBE_TIMEOUT);
    this.on("present", function (message) {
      if (answered) {
        return;
      }
      answered = true;
      window.clearTimeout(timer);
      self.present = true; // the extension is there: a failure from here on is the host's
      if (message.host_error) {
        self.error = "bridge_unavailable";
        self.hostError = message.host_error;
        callback(false);
        return;
      }
      self.request({ type: "hello", origin: window.location.origin }, function (error, welcome) {
        self.ready = !error;
        self.welcome = welcome;
        self.error = error;
        callback(self.ready);
      });
    });
    this.post({ type: "probe" });
  };

  Mendan.bridge = new BridgeClient();
  Mendan.bridge.CONSENT_TIMEOUT = CONSENT_TIMEOUT;

  /* Same interface as PeerLink (start, handleSignal, close) over the native host's peer. */
  function BridgePeerLink(options) {
    this.remoteId = options.remoteId;
    this.polite = options.selfId > options.remoteId;
    this.signaling = options.signaling;
    this.iceServers = options.iceServers || [];
    this.onState = options.onState;
    this.created = false;
    this.creating = false;
    this.queue = [];
    this.closed = false;
    this.frames = 0;
    BridgePeerLink.links[this.remoteId] = this;
  }

  BridgePeerLink.links = {};

  BridgePeerLink.prototype.create = function (initiator) {
    var self = this;
    if (this.created || this.creating) {
      return;
    }
    this.creating = true;
    Mendan.bridge.request(
      { type: "create_peer", peer_id: this.remoteId, polite: this.polite, initiator: initiator, ice_servers: this.iceServers },
      function (error) {
        self.creating = false;
        if (error) {
          self.onState("failed");
          return;
        }
        self.created = true;
        var queued = self.queue;
        self.queue = [];
        for (var i = 0; i < queued.length; i++) {
          self.forward(queued[i]);
        }
      }
    );
  };

  BridgePeerLink.prototype.start = function () {
    this.create(true);
  };

  BridgePeerLink.prototype.forward = function (message) {
    Mendan.bridge.post({
      type: "signal",
      peer_id: this.remoteId,
      description: message.description || null,
      candidate: message.candidate || null
    });
  };

  BridgePeerLink.prototype.handleSignal = function (message) {
    if (!this.created) {
      this.queue.push(message);
      this.create(false);
      return;
    }
    this.forward(message);
  };

  /* What the host made for this peer goes to the other participant over our signaling. */
  BridgePeerLink.prototype.sendLocal = function (message) {
    var signal = { type: P.types.signal, to: this.remoteId };
    if (message.description) {
      signal.description = message.description;
    }
    if (message.candidate) {
      signal.candidate = message.candidate;
    }
    this.signaling.send(signal);
  };

  BridgePeerLink.prototype.close = function () {
    this.closed = true;
    if (BridgePeerLink.links[this.remoteId] === this) {
      delete BridgePeerLink.links[this.remoteId];
    }
    Mendan.bridge.post({ type: "close_peer", peer_id: this.remoteId });
  };

  Mendan.bridge.on("local_signal", function (message) {
    var link = BridgePeerLink.links[message.peer_id];
    if (link) {
      link.sendLocal(message);
    }
  });
  Mendan.bridge.on("peer_state", function (message) {
    var link = BridgePeerLink.links[message.peer_id];
    if (link) {
      link.onState(message.state);
    }
  });

  Mendan.BridgePeerLink = BridgePeerLink;

  // Only a browser without its own WebRTC asks for the bridge.
  if (!Mendan.capabilities.peer_connection) {
    Mendan.bridge.handshake(function (ready) {
      Mendan.bridgeReady = ready;
      Mendan.recheckCapabilities();
    });
  }
})(Mendan, MendanProtocol);
