/*
 * Talk-time, measured in the rep's browser: an AnalyserNode on each participant's stream
 * (the rep's mic and every remote stream), sampled 5 times a second; a sample above the speech
 * level counts as speaking. Every 5 s the speaking seconds per participant id go to the server,
 * which adds them up for the history. ES5 syntax only.
 */
(function (Mendan) {
  "use strict";

  var SAMPLE_MS = 200;
  var REPORT_MS = 5000;
  var SPEECH_RMS = 0.01; // about -40 dBFS: quieter is room noise, not a voice

  function TalkMeter(room) {
    var Context = window.AudioContext || window.webkitAudioContext;
    this.room = room;
    this.context = new Context();
    this.meters = {};
    this.pending = {};
    this.busy = false;
    var self = this;
    this.sampler = window.setInterval(function () {
      self.sample();
    }, SAMPLE_MS);
    this.reporter = window.setInterval(function () {
      self.report();
    }, REPORT_MS);
  }

  TalkMeter.prototype.watch = function (id, stream) {
    if (this.meters[id] && this.meters[id].stream === stream) {
      return;
    }
    this.forget(id);
    if (!stream || !stream.getAudioTracks().length) {
      return;
    }
    var source = this.context.createMediaStreamSource(stream);
    var analyser = this.context.createAnalyser();
    analyser.fftSize = 1024;
    source.connect(analyser);
    this.meters[id] = { stream: stream, source: source, analyser: analyser, buffer: new Float32Array(analyser.fftSize) };
  };

  TalkMeter.prototype.forget = function (id) {
    if (this.meters[id]) {
      this.meters[id].source.disconnect();
      delete this.meters[id];
    }
  };

  TalkMeter.prototype.sample = function () {
    var ids = Object.keys(this.meters);
    for (var i = 0; i < ids.length; i++) {
      var meter = this.meters[ids[i]];
      var track = meter.stream.getAudioTracks()[0];
      if (!track || !track.enabled || track.muted) {
        continue; // a muted mic says nothing, whatever its level
      }
      meter.analyser.getFloatTimeDomainData(meter.buffer);
      var sum = 0;
      for (var j = 0; j < meter.buffer.length; j++) {
        sum += meter.buffer[j] * meter.buffer[j];
      }
      if (Math.sqrt(sum / meter.buffer.length) >= SPEECH_RMS) {
        this.pending[ids[i]] = (this.pending[ids[i]] || 0) + SAMPLE_MS / 1000;
      }
    }
  };

  /* Send what was measured; if it does not arrive, it is sent again with the next report. */
  TalkMeter.prototype.report = function (done) {
    var self = this;
    var seconds = this.pending;
    if (this.busy || !Object.keys(seconds).length || !this.room.meeting) {
      if (done) {
        done();
      }
      return;
    }
    this.pending = {};
    this.busy = true;
    var report = { method: "POST", url: "/api/meetings/" + this.room.meeting.id + "/talk-time", body: { seconds: seconds }, retryServerErrors: true };
    Mendan.http(report, function (error) {
      self.busy = false;
      if (error === "network") {
        Object.keys(seconds).forEach(function (id) {
          self.pending[id] = (self.pending[id] || 0) + seconds[id];
        });
      }
      if (done) {
        done();
      }
    });
  };

  TalkMeter.prototype.close = function () {
    var self = this;
    window.clearInterval(this.sampler);
    window.clearInterval(this.reporter);
    this.report(function () {
      self.context.close();
    });
  };

  Mendan.Room.use(function (room) {
    var meter = null;

    function maybeStart() {
      if (meter || !room.isHost() || !room.localStream || room.ended || !Mendan.capabilities.web_audio) {
        return;
      }
      meter = new TalkMeter(room);
      Mendan.debug.talkMeter = meter;
      meter.watch(room.selfId, room.localStream);
      Object.keys(room.tiles).forEach(function (id) {
        meter.watch(id, room.tiles[id].video.srcObject);
      });
    }

    room.on("joined", maybeStart);
    room.on("localStream", maybeStart);
    room.on("remoteStream", function (id, stream) {
      maybeStart();
      if (meter) {
        meter.watch(id, stream);
      }
    });
    room.on("participants", function () {
      if (meter) {
        Object.keys(meter.meters).forEach(function (id) {
          if (!room.participants[id]) {
            meter.forget(id);
          }
        });
      }
    });
    room.on("ended", function () {
      if (meter) {
        meter.close();
      }
    });
  });
})(Mendan);
