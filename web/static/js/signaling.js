/*
 * The signaling connection: a WebSocket that joins with the ticket, re-joins by itself after a
 * drop, and pairs requests with their replies. ES5 syntax only.
 */
(function (Mendan, P) {
  "use strict";

  var RETRY_DELAYS = [250, 500, 1000, 2000, 3000, 5000];
  var REQUEST_TIMEOUT = 10000;

  function Signaling(ticket, handlers) {
    this.ticket = ticket;
    this.handlers = handlers;
    this.socket = null;
    this.pending = new Mendan.PendingRequests("", "network");
    this.attempt = 0;
    this.stopped = false;
    this.joinedOnce = false;
  }

  Signaling.prototype.url = function () {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + window.location.host + "/ws";
  };

  Signaling.prototype.connect = function () {
    var self = this;
    var socket = new WebSocket(this.url());
    this.socket = socket;
    socket.onopen = function () {
      self.request({ type: P.types.join, ticket: self.ticket }, function (error, reply) {
        if (error) {
          self.stopped = true;
          self.handlers.onFatal(error);
          return;
        }
        self.attempt = 0;
        var again = self.joinedOnce;
        self.joinedOnce = true;
        self.handlers.onJoined(reply, again);
      });
    };
    socket.onmessage = function (event) {
      var message;
      try {
        message = JSON.parse(event.data);
      } catch (ignored) {
        return;
      }
      var error = message.type === P.types.error ? message.error.code : null;
      if (!self.pending.settle(message.request_id, error, message)) {
        self.handlers.onMessage(message);
      }
    };
    socket.onclose = function () {
      if (self.socket !== socket) {
        return;
      }
      self.pending.failAll("network");
      if (self.stopped) {
        return;
      }
      self.handlers.onDrop();
      var delay = RETRY_DELAYS[Math.min(self.attempt, RETRY_DELAYS.length - 1)];
      self.attempt += 1;
      window.setTimeout(function () {
        if (!self.stopped) {
          self.connect();
        }
      }, delay);
    };
  };

  Signaling.prototype.send = function (message) {
    message.v = P.VERSION;
    if (this.socket && this.socket.readyState === 1) {
      this.socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  };

  /* Send a request; callback(errorCode, reply) exactly once. */
  Signaling.prototype.request = function (message, callback) {
    message.request_id = this.pending.add(callback, REQUEST_TIMEOUT);
    if (!this.send(message)) {
      this.pending.settle(message.request_id, "network", null);
    }
  };

  /* Drop the socket as a network failure would (used by tests of the reconnect path). */
  Signaling.prototype.simulateDrop = function () {
    if (this.socket) {
      this.socket.close();
    }
  };

  Signaling.prototype.stop = function () {
    this.stopped = true;
    if (this.socket) {
      this.socket.close();
    }
  };

  Mendan.Signaling = Signaling;
})(Mendan, MendanProtocol);
