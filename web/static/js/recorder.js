/*
 * Recording, in the rep's browser only, when the rep answered YES: the picture and sound of
 * recording_media.js, MediaRecorder WebM in chunks of at most 5 s, each uploaded as it comes by
 * recording_upload.js. This file holds one recording's life and its wiring into the room.
 * ES5 syntax only.
 *
 * Hook for the shown document: Mendan.Recorder.layers.push(function (ctx, width, height) { … })
 * draws on top of the video grid in every recorded frame.
 */
(function (Mendan, P) {
  "use strict";

  var t = Mendan.t;

  var CHUNK_MS = 4000; // at most 5 s of recording is lost when a browser dies
  // 350 + 48 kbit/s ≈ 179 MB per hour: under the 200 MB/h budget with room for container overhead.
  var VIDEO_BPS = 350000;
  var AUDIO_BPS = 48000;
  var RETRY_MIN_MS = 1000;
  var send = Mendan.RecordingUploader.send;

  var Recorder = { layers: [] };

  /* As compat/ decides it (capabilities.js): MediaRecorder, canvas capture, WebAudio … */
  function supported() {
    return !!Mendan.features.recording;
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
    this.uploader = new Mendan.RecordingUploader(this.id, {
      onUsage: function (usage) {
        self.onUsage(usage);
      },
      onRefused: function (code, seq) {
        self.onRefused(code, seq);
      }
    });
    this.compositor = new Mendan.RecordingCompositor(room, Recorder.layers);
    this.mixer = new Mendan.RecordingMixer();
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
      if (session || !room.meeting || !room.meeting.recording || room.meeting.state !== P.meetingStates.ACTIVE) {
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

  /* The rep's recording as tests and benches see it, or null before one started. */
  Mendan.debug.recording = function () {
    var session = Recorder.session;
    if (!session) {
      return null;
    }
    var pending = session.uploader ? session.uploader.pending() : 0;
    return { id: session.id || null, state: session.state, chunks: session.seq, pending: pending, warned: session.warned };
  };

  Recorder.supported = supported;
  Mendan.Recorder = Recorder;
})(Mendan, MendanProtocol);
