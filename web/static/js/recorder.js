/*
 * Recording, in the rep's browser only, when the rep answered YES: every video drawn as a
 * grid on a canvas, every voice mixed with WebAudio, MediaRecorder WebM in chunks of at most 5 s,
 * each uploaded as it comes (PUT /api/recordings/<id>/chunks/<seq>). Unsent chunks stay in memory
 * and are retried after a drop; the server says which it already holds. ES5 syntax only.
 *
 * Hook for the shown document: Mendan.Recorder.layers.push(function (ctx, width, height) { … })
 * draws on top of the video grid in every recorded frame.
 */
(function (Mendan, P) {
  "use strict";

  var t = Mendan.t;
  var byId = Mendan.byId;

  var CHUNK_MS = 4000; // at most 5 s of recording is lost when a browser dies
  // 350 + 48 kbit/s ≈ 179 MB per hour: under the 200 MB/h budget with room for container overhead.
  var VIDEO_BPS = 350000;
  var AUDIO_BPS = 48000;
  var WIDTH = 640;
  var HEIGHT = 360;
  var FPS = 15;
  var RETRY_MIN_MS = 1000;
  var RETRY_MAX_MS = 10000;

  var Recorder = { layers: [] };

  function supported() {
    return typeof window.MediaRecorder === "function" && typeof (window.AudioContext || window.webkitAudioContext) === "function" && !!document.createElement("canvas").captureStream;
  }

  function pickMimeType() {
    var kinds = ["video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/webm"];
    for (var i = 0; i < kinds.length; i++) {
      if (window.MediaRecorder.isTypeSupported(kinds[i])) {
        return kinds[i];
      }
    }
    return "";
  }

  /* XHR with the CSRF header; callback(errorCode, data). errorCode "network" when nothing came back. */
  function send(method, url, body, callback) {
    var xhr = new XMLHttpRequest();
    xhr.open(method, url, true);
    xhr.setRequestHeader("X-CSRF-Token", Mendan.config.csrf || "");
    if (body instanceof Blob) {
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
    } else if (body !== null) {
      xhr.setRequestHeader("Content-Type", "application/json");
      body = JSON.stringify(body);
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
      if (xhr.status === 0 || xhr.status >= 500 && xhr.status !== 507) {
        callback("network", data);
      } else if (data && data.ok) {
        callback(null, data);
      } else {
        callback(data && data.error ? data.error.code : "internal", data);
      }
    };
    xhr.send(body);
  }
  Recorder.send = send;

  // ---- upload queue ----------------------------------------------------------------------------

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

  // ---- the composite picture -------------------------------------------------------------------

  function Compositor(room) {
    this.room = room;
    this.canvas = document.createElement("canvas");
    this.canvas.width = WIDTH;
    this.canvas.height = HEIGHT;
    this.ctx = this.canvas.getContext("2d");
    this.timer = null;
  }

  Compositor.prototype.videos = function () {
    var list = [];
    var local = byId("local-video");
    if (local && local.srcObject) {
      list.push({ video: local, name: t("room.self_label") });
    }
    var ids = Object.keys(this.room.tiles);
    for (var i = 0; i < ids.length; i++) {
      var person = this.room.participants[ids[i]];
      list.push({ video: this.room.tiles[ids[i]].video, name: person ? person.display_name : "" });
    }
    return list;
  };

  Compositor.prototype.draw = function () {
    var ctx = this.ctx;
    var videos = this.videos();
    ctx.fillStyle = "#18212b";
    ctx.fillRect(0, 0, WIDTH, HEIGHT);
    var columns = videos.length > 1 ? 2 : 1;
    var rows = videos.length > 2 ? 2 : 1;
    var cellW = WIDTH / columns;
    var cellH = HEIGHT / rows;
    for (var i = 0; i < videos.length; i++) {
      var x = (i % columns) * cellW;
      var y = Math.floor(i / columns) * cellH;
      var video = videos[i].video;
      if (video.videoWidth && video.readyState >= 2) {
        var scale = Math.min(cellW / video.videoWidth, cellH / video.videoHeight);
        var w = video.videoWidth * scale;
        var h = video.videoHeight * scale;
        ctx.drawImage(video, x + (cellW - w) / 2, y + (cellH - h) / 2, w, h);
      }
      ctx.fillStyle = "rgba(0,0,0,0.55)";
      ctx.fillRect(x + 6, y + cellH - 26, Math.min(cellW - 12, 12 + ctx.measureText(videos[i].name).width), 20);
      ctx.fillStyle = "#ffffff";
      ctx.font = "13px sans-serif";
      ctx.fillText(videos[i].name, x + 12, y + cellH - 11);
    }
    for (var j = 0; j < Recorder.layers.length; j++) {
      Recorder.layers[j](ctx, WIDTH, HEIGHT);
    }
  };

  Compositor.prototype.start = function () {
    var self = this;
    this.draw();
    // A timer, not requestAnimationFrame: the recording must go on while the tab is in the background.
    this.timer = window.setInterval(function () {
      self.draw();
    }, Math.round(1000 / FPS));
    return this.canvas.captureStream(FPS).getVideoTracks()[0];
  };

  Compositor.prototype.stop = function () {
    window.clearInterval(this.timer);
  };

  // ---- the mixed sound -------------------------------------------------------------------------

  function Mixer() {
    var Context = window.AudioContext || window.webkitAudioContext;
    this.context = new Context();
    this.destination = this.context.createMediaStreamDestination();
    this.sources = {};
  }

  Mixer.prototype.add = function (id, stream) {
    if (this.sources[id] && this.sources[id].stream === stream) {
      return;
    }
    this.remove(id);
    if (!stream || !stream.getAudioTracks().length) {
      return;
    }
    var node = this.context.createMediaStreamSource(stream);
    node.connect(this.destination);
    this.sources[id] = { stream: stream, node: node };
  };

  Mixer.prototype.remove = function (id) {
    if (this.sources[id]) {
      this.sources[id].node.disconnect();
      delete this.sources[id];
    }
  };

  Mixer.prototype.close = function () {
    var ids = Object.keys(this.sources);
    for (var i = 0; i < ids.length; i++) {
      this.remove(ids[i]);
    }
    this.context.close();
  };

  // ---- one recording -----------------------------------------------------------------------------

  function Session(room) {
    this.room = room;
    this.seq = 0;
    this.state = "starting";
    this.warned = false;
    this.stopReason = "";
    this.refusedAt = null;
  }

  Session.prototype.start = function (attempt) {
    var self = this;
    attempt = attempt || 0;
    send("POST", "/api/recordings", { meeting_id: this.room.meeting.id }, function (error, data) {
      if (error === "network" && attempt < 5 && self.state === "starting") {
        window.setTimeout(function () {
          self.start(attempt + 1);
        }, RETRY_MIN_MS * (attempt + 1));
        return;
      }
      if (error) {
        self.state = "failed";
        self.room.notify(error === P.errors.RECORDING_QUOTA_EXCEEDED ? t("room.recording_quota_full", { quota: "" }) : t("room.recording_failed", { reason: Mendan.errorText(error) }));
        return;
      }
      if (self.state !== "starting") {
        return; // the meeting ended while we asked
      }
      self.begin(data);
    });
  };

  Session.prototype.begin = function (data) {
    var self = this;
    var room = this.room;
    this.id = data.recording.id;
    this.quotaText = data.usage.text.split(" / ")[1];
    this.uploader = new Uploader(this.id, {
      onUsage: function (usage) {
        self.onUsage(usage);
      },
      onRefused: function (code, seq) {
        self.onRefused(code, seq);
      }
    });
    this.compositor = new Compositor(room);
    this.mixer = new Mixer();
    this.mixer.add(room.selfId, room.localStream);
    var ids = Object.keys(room.tiles);
    for (var i = 0; i < ids.length; i++) {
      this.mixer.add(ids[i], room.tiles[ids[i]].video.srcObject);
    }
    var tracks = [this.compositor.start()].concat(this.mixer.destination.stream.getAudioTracks());
    var options = { videoBitsPerSecond: VIDEO_BPS, audioBitsPerSecond: AUDIO_BPS };
    var mimeType = pickMimeType();
    if (mimeType) {
      options.mimeType = mimeType;
    }
    this.recorder = new window.MediaRecorder(new window.MediaStream(tracks), options);
    this.recorder.ondataavailable = function (event) {
      if (event.data && event.data.size > 0) {
        self.uploader.push(self.seq, event.data);
        self.seq += 1;
      }
    };
    this.recorder.onstop = function () {
      self.afterStop();
    };
    this.recorder.start(CHUNK_MS);
    this.state = "recording";
    this.limitTimer = window.setTimeout(function () {
      self.stop("limit");
      var limit = data.max_seconds >= 60 ? t("room.minutes", { count: Math.round(data.max_seconds / 60) }) : t("room.seconds", { count: data.max_seconds });
      room.notify(t("room.recording_limit", { limit: limit }));
    }, data.max_seconds * 1000);
    this.onUsage(data.usage);
    room.notify(t("room.recording_started"));
  };

  Session.prototype.onUsage = function (usage) {
    if (usage.warn && !this.warned && this.state === "recording") {
      this.warned = true;
      this.room.notify(t("room.recording_quota_warning", { usage: usage.text }));
    }
  };

  Session.prototype.onRefused = function (code, seq) {
    this.refusedAt = seq;
    if (code === P.errors.RECORDING_QUOTA_EXCEEDED) {
      this.room.notify(t("room.recording_quota_full", { quota: this.quotaText }));
      this.stop("quota");
    } else {
      this.room.notify(t("room.recording_failed", { reason: Mendan.errorText(code) }));
      this.stop("refused");
    }
  };

  Session.prototype.addStream = function (id, stream) {
    if (this.mixer) {
      this.mixer.add(id, stream);
    }
  };

  Session.prototype.forgetGone = function () {
    if (!this.mixer) {
      return;
    }
    var ids = Object.keys(this.mixer.sources);
    for (var i = 0; i < ids.length; i++) {
      if (!this.room.participants[ids[i]]) {
        this.mixer.remove(ids[i]);
      }
    }
  };

  Session.prototype.stop = function (reason) {
    if (this.state === "starting") {
      this.state = "stopped";
      return;
    }
    if (this.state !== "recording") {
      return;
    }
    this.state = "stopping";
    this.stopReason = reason;

    window.clearTimeout(this.limitTimer);
    this.recorder.stop(); // its last chunk comes before onstop
  };

  Session.prototype.afterStop = function () {
    var self = this;
    this.compositor.stop();
    this.mixer.close();
    this.showSaving();
    this.uploader.whenDrained(function () {
      var chunks = self.refusedAt === null ? self.seq : self.refusedAt;
      send("POST", "/api/recordings/" + self.id + "/finish", { chunks: chunks, reason: self.stopReason }, function () {
        self.state = "stopped";
        if (self.stopReason === "meeting_ended" || self.stopReason === "left") {
          self.room.notify(t("room.recording_saved"));
        }
      });
    });
  };

  Session.prototype.showSaving = function () {
    var self = this;
    if (this.uploader.pending() > 0 && this.stopReason === "meeting_ended") {
      this.room.notify(t("room.recording_saving", { count: this.uploader.pending() }));
      window.setTimeout(function () {
        if (self.state === "stopping") {
          self.showSaving();
        }
      }, 1000);
    }
  };

  // ---- wiring into the room ----------------------------------------------------------------------

  Mendan.Room.use(function (room) {
    var session = null;

    function maybeStart() {
      if (session || !room.meeting || !room.meeting.recording || room.meeting.state !== "active") {
        return;
      }
      if (!room.isHost() || !room.localStream || room.ended) {
        return;
      }
      if (!supported()) {
        room.notify(t("room.recording_unsupported"));
        session = { stop: function () {}, addStream: function () {}, forgetGone: function () {} };
        return;
      }
      session = new Session(room);
      Recorder.session = session;
      session.start();
    }

    room.on("joined", maybeStart);
    room.on("localStream", maybeStart);
    room.on("remoteStream", function (id, stream) {
      if (session) {
        session.addStream(id, stream);
      }
    });
    room.on("participants", function () {
      if (session) {
        session.forgetGone();
      }
    });
    room.on("ended", function () {
      if (session) {
        session.stop("meeting_ended");
      }
    });
  });

  Recorder.supported = supported;
  Mendan.Recorder = Recorder;
})(Mendan, MendanProtocol);
