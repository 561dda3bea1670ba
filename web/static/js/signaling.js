/*
 * The signaling connection: joins with the ticket, re-joins by itself after a drop, and pairs
 * requests with their replies. It speaks over a WebSocket, or, when WebSockets keep failing to
 * open (a company proxy that blocks them), over HTTP long polling with the same messages
 * (R-10.5, server/signaling/longpoll.py). ES5 syntax only.
 */
(function (Mendan, P) {
  "use strict";

  var RETRY_DELAYS = [250, 500, 1000, 2000, 3000, 5000];
  var REQUEST_TIMEOUT = 10000;
  var OPEN_TIMEOUT = 6000; // a proxy may hold a WebSocket upgrade without answering
  var FAILED_OPENS_BEFORE_HTTP = 2;

  /* Long polling with a WebSocket's face: readyState, send, close, onopen/onmessage/onclose. */
  function HttpChannel() {
    var self = this;
    this.readyState = 0;
    this.session = null;
    this.outbox = [];
    this.sending = false;
    Mendan.request("POST", "/signal/open", {}, function (error, data) {
      if (error || self.readyState === 3) {
        self.fail();
        return;
      }
      self.session = data.session;
      self.readyState = 1;
      self.onopen();
      self.poll();
    });
  }

  HttpChannel.prototype.poll = function () {
    var self = this;
    Mendan.request("GET", "/signal/" + this.session + "/poll", null, function (error, data) {
      if (self.readyState !== 1) {
        return;
      }
      if (error) {
        self.fail();
        return;
      }
      for (var i = 0; i < data.messages.length; i++) {
        self.onmessage({ data: JSON.stringify(data.messages[i]) });
      }
      if (data.closed) {
        self.fail();
      } else {
        self.poll();
      }
    });
  };

  /* One request in flight at a time, so the server sees messages in the order they were sent. */
  HttpChannel.prototype.send = function (text) {
    this.outbox.push(text);
    this.flush();
  };

  HttpChannel.prototype.flush = function () {
    var self = this;
    if (this.sending || !this.outbox.length || this.readyState !== 1) {
      return;
    }
    var batch = this.outbox;
    this.outbox = [];
    this.sending = true;
    Mendan.request("POST", "/signal/" + this.session + "/send", { messages: batch }, function (error) {
      self.sending = false;
      if (error) {
        self.fail();
        return;
      }
      self.flush();
    });
  };

  HttpChannel.prototype.fail = function () {
    if (this.readyState === 3) {
      return;
    }
    this.readyState = 3;
    this.onclose();
  };

  HttpChannel.prototype.close = function () {
    if (this.session && this.readyState === 1) {
      Mendan.request("POST", "/signal/" + this.session + "/close", {}, function () {});
    }
    this.fail();
  };

  function Signaling(ticket, handlers) {
    this.ticket = ticket;
    this.handlers = handlers;
    this.socket = null;
    this.pending = new Mendan.PendingRequests("", "network");
    this.attempt = 0;
    this.stopped = false;
    this.joinedOnce = false;
    this.failedOpens = 0;
    this.transport = "websocket";
  }

  Signaling.prototype.url = function () {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + window.location.host + "/ws";
  };

  Signaling.prototype.open = function () {
    var self = this;
    if (this.transport === "http" || !Mendan.capabilities.websocket) {
      this.transport = "http";
      return new HttpChannel();
    }
    var socket = new WebSocket(this.url());
    var timer = window.setTimeout(function () {
      if (socket.readyState === 0) {
        socket.close(); // counts as a failed open
      }
    }, OPEN_TIMEOUT);
    var opened = false;
    socket.addEventListener("open", function () {
      opened = true;
      window.clearTimeout(timer);
    });
    socket.addEventListener("close", function () {
      window.clearTimeout(timer);
      if (!opened) {
        self.countFailedOpen();
      }
    });
    return socket;
  };

  Signaling.prototype.countFailedOpen = function () {
    this.failedOpens += 1;
    if (this.transport === "websocket" && this.failedOpens >= FAILED_OPENS_BEFORE_HTTP) {
      this.transport = "http"; // from now on, for the rest of this page
    }
  };

  Signaling.prototype.connect = function () {
    var self = this;
    var socket = this.open();
    this.socket = socket;
    socket.onopen = function () {
      self.request({ type: P.types.join, ticket: self.ticket }, function (error, reply) {
        if (error === "network") {
          // No answer: the channel dropped, or a proxy let it open but passes nothing through.
          if (socket.readyState === 1) {
            self.countFailedOpen();
            socket.close();
          }
          return; // either way the reconnect joins again
        }
        if (error) {
          self.stopped = true;
          self.handlers.onFatal(error);
          return;
        }
        self.attempt = 0;
        self.failedOpens = 0; // it works: only consecutive failures count
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
    socket.onclose = function (event) {
      if (self.socket !== socket) {
        return;
      }
      self.pending.failAll("network");
      if (self.stopped) {
        return;
      }
      if (event && event.code === P.closeCodes.REMOVED) {
        // No longer in the meeting (left, ended, grace ran out): a re-join would be refused.
        self.stopped = true;
        self.handlers.onFatal(P.errors.MEETING_ENDED);
        return;
      }
      // Any other close (TOO_SLOW included) re-joins, and the fresh snapshot replaces what was missed.
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
