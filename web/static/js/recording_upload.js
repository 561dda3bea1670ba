/*
 * The recording's upload queue: each chunk PUT to /api/recordings/<id>/chunks/<seq> in order.
 * Unsent chunks stay in memory and are retried after a drop (the server says which it already
 * holds); a refusal for good (quota, recording closed) stops the queue. ES5 syntax only.
 */
(function (Mendan) {
  "use strict";

  var RETRY_MIN_MS = 1000;
  var RETRY_MAX_MS = 10000;

  /* Mendan.http where a server in trouble (5xx) is worth retrying like a drop. */
  function send(method, url, body, callback) {
    Mendan.http({ method: method, url: url, body: body, retryServerErrors: true }, callback);
  }

  function Uploader(recordingId, events) {
    this.base = "/api/recordings/" + recordingId;
    this.events = events; // onUsage(usage), onRefused(code, seq)
    this.queue = [];
    this.busy = false;
    this.delay = RETRY_MIN_MS;
    this.drained = [];
    this.closed = false;
  }

  Uploader.prototype.push = function (seq, blob) {
    if (this.closed) {
      return;
    }
    this.queue.push({ seq: seq, blob: blob });
    this.pump();
  };

  Uploader.prototype.pump = function () {
    var self = this;
    if (this.busy) {
      return;
    }
    if (!this.queue.length) {
      var waiting = this.drained;
      this.drained = [];
      for (var i = 0; i < waiting.length; i++) {
        waiting[i]();
      }
      return;
    }
    var item = this.queue[0];
    this.busy = true;
    send("PUT", this.base + "/chunks/" + item.seq, item.blob, function (error, data) {
      self.busy = false;
      if (!error) {
        self.delay = RETRY_MIN_MS;
        self.queue.shift();
        self.events.onUsage(data.usage);
        self.pump();
      } else if (error === "network") {
        self.retry();
      } else {
        // Refused for good (quota, recording closed): nothing later can be stored either.
        self.closed = true;
        self.queue = [];
        self.events.onRefused(error, item.seq);
        self.pump();
      }
    });
  };

  /* After a drop: ask which chunks the server holds, forget those, send the rest. */
  Uploader.prototype.retry = function () {
    var self = this;
    var delay = this.delay;
    this.busy = true;
    this.delay = Math.min(this.delay * 2, RETRY_MAX_MS);
    window.setTimeout(function () {
      send("GET", self.base, null, function (error, data) {
        self.busy = false;
        if (error) {
          self.retry();
          return;
        }
        var held = {};
        for (var i = 0; i < data.received.length; i++) {
          held[data.received[i]] = true;
        }
        self.queue = self.queue.filter(function (item) {
          return !held[item.seq];
        });
        self.pump();
      });
    }, delay);
  };

  Uploader.prototype.whenDrained = function (callback) {
    this.drained.push(callback);
    this.pump();
  };

  Uploader.prototype.pending = function () {
    return this.queue.length;
  };

  Uploader.RETRY_MIN_MS = RETRY_MIN_MS;
  Uploader.send = send;
  Mendan.RecordingUploader = Uploader;
})(Mendan);
