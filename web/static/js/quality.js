/*
 * Connection quality per remote participant: good, unstable or bad, shown on their tile
 * (data-testid "connection-quality", data-level). Every SAMPLE_MS each link's getStats() report (the
 * mesh's shared poll, link_stats.js) tells what happened since the last look: packets lost on the
 * way to us (inbound-rtp) and on the way to them (their RTCP: remote-inbound-rtp), round-trip time,
 * audio jitter and concealment (audio the browser had to invent for lost packets), video frames
 * decoded per second. A link that stays bad brings up the advice of the FAQ: turn the camera off
 * (audio then has the link to itself), and if the voice still breaks up, talk on the phone (the
 * room's 電話で話すには box). ES5 syntax only.
 */
(function (Mendan) {
  "use strict";

  var t = Mendan.t;
  var SAMPLE_MS = 2000;
  var ADVICE_AFTER = 3; // bad samples in a row (6 s) before advice: one burst is no reason to act

  // Limits (fractions, seconds, frames per second). Audio stays intelligible up to a few percent
  // of loss thanks to concealment; past ~10 % words go missing. Past 300 ms round trip people
  // talk over each other; past 500 ms a conversation is hard.
  var LIMITS = {
    unstable: { loss: 0.03, rtt: 0.3, jitter: 0.05, concealment: 0.03, fps: 5 },
    bad: { loss: 0.1, rtt: 0.5, jitter: 0.1, concealment: 0.1, fps: 1 }
  };

  /*
   * sample: {loss, rtt, jitter, concealment, fps, videoExpected, expected, received}; rtt and jitter
   * are null until measured. Returns "good", "unstable" or "bad".
   */
  function grade(sample) {
    if (sample.expected && !sample.received) {
      return "bad"; // they send, and nothing arrived in the last interval
    }
    function beyond(limit) {
      return (
        sample.loss >= limit.loss ||
        (sample.rtt !== null && sample.rtt >= limit.rtt) ||
        (sample.jitter !== null && sample.jitter >= limit.jitter) ||
        sample.concealment >= limit.concealment ||
        (sample.videoExpected && sample.fps < limit.fps)
      );
    }
    if (beyond(LIMITS.bad)) {
      return "bad";
    }
    return beyond(LIMITS.unstable) ? "unstable" : "good";
  }

  var RANK = { good: 0, unstable: 1, bad: 2 };

  function worse(a, b) {
    return RANK[a] >= RANK[b] ? a : b;
  }

  /* The counters of one getStats() report that the next sample is measured against. */
  function readCounters(stats) {
    var out = { at: Date.now(), received: 0, lost: 0, concealed: 0, samples: 0, frames: 0, video: false, jitter: null, rtt: null, remoteLoss: 0 };
    stats.forEach(function (report) {
      if (report.type === "inbound-rtp") {
        out.received += report.packetsReceived || 0;
        out.lost += Math.max(0, report.packetsLost || 0);
        if (report.kind === "audio") {
          out.concealed += report.concealedSamples || 0;
          out.samples += report.totalSamplesReceived || 0;
          out.jitter = typeof report.jitter === "number" ? report.jitter : out.jitter;
        } else if (report.kind === "video") {
          out.frames += report.framesDecoded || 0;
          out.video = true;
        }
      } else if (report.type === "remote-inbound-rtp") {
        out.remoteLoss = Math.max(out.remoteLoss, report.fractionLost || 0);
        if (typeof report.roundTripTime === "number") {
          out.rtt = Math.max(out.rtt || 0, report.roundTripTime);
        }
      } else if (report.type === "candidate-pair" && report.nominated && typeof report.currentRoundTripTime === "number") {
        out.rtt = Math.max(out.rtt || 0, report.currentRoundTripTime);
      }
    });
    return out;
  }

  /* What happened between two readings of the same link. */
  function measure(before, now, expected, videoExpected) {
    var received = now.received - before.received;
    var lost = now.lost - before.lost;
    var samples = now.samples - before.samples;
    var seconds = Math.max(0.001, (now.at - before.at) / 1000);
    return {
      received: received,
      expected: expected,
      loss: Math.max(received + lost > 0 ? lost / (received + lost) : 0, now.remoteLoss),
      rtt: now.rtt,
      jitter: now.jitter,
      concealment: samples > 0 ? (now.concealed - before.concealed) / samples : 0,
      fps: (now.frames - before.frames) / seconds,
      videoExpected: videoExpected && now.video
    };
  }

  function percent(fraction) {
    return Math.round(fraction * 1000) / 10;
  }

  function QualityMonitor(room) {
    var self = this;
    this.room = room;
    this.links = {}; // remote id -> {pc, counters, history: [grades], level, badRun, sample}
    this.dismissed = false;
    this.advice = this.buildAdvice();
    room.mesh.stats.subscribe(
      SAMPLE_MS,
      function (id, link, stats) {
        if (!room.ended) {
          self.take(id, link.pc, readCounters(stats));
        }
      },
      function () {
        self.forgetGone();
      }
    );
  }

  QualityMonitor.prototype.forgetGone = function () {
    var self = this;
    Object.keys(this.links).forEach(function (id) {
      if (!self.room.links[id]) {
        self.forget(id);
      }
    });
  };

  QualityMonitor.prototype.take = function (id, pc, counters) {
    var entry = this.links[id];
    if (!entry || entry.pc !== pc) {
      // A new connection (or the first look): counters start again from zero.
      this.links[id] = { pc: pc, counters: counters, history: [], level: null, badRun: 0, sample: null };
      return;
    }
    var person = this.room.participants[id];
    var media = person ? person.media : {};
    var sample = measure(entry.counters, counters, !!(media.camera || media.mic), !!media.camera);
    entry.counters = counters;
    entry.sample = sample;
    entry.history = entry.history.concat([grade(sample)]).slice(-2);
    // Worse at once, better only when two samples agree: no flicker on a single good moment.
    entry.level = worse(entry.history[0], entry.history[entry.history.length - 1]);
    entry.badRun = entry.history[entry.history.length - 1] === "bad" ? entry.badRun + 1 : 0;
    this.render(id, entry);
    this.renderAdvice();
  };

  QualityMonitor.prototype.forget = function (id) {
    delete this.links[id];
    this.renderAdvice();
  };

  QualityMonitor.prototype.render = function (id, entry) {
    var tile = this.room.tiles[id];
    if (!tile) {
      return;
    }
    if (!tile.quality) {
      tile.quality = Mendan.el("span", "tile-quality");
      tile.quality.setAttribute("data-testid", "connection-quality");
      tile.quality.setAttribute("data-participant", id);
      tile.quality.setAttribute("role", "status");
      var bars = Mendan.el("span", "quality-bars");
      bars.setAttribute("aria-hidden", "true");
      for (var i = 0; i < 3; i++) {
        bars.appendChild(document.createElement("i"));
      }
      tile.quality.appendChild(bars);
      tile.quality.appendChild(Mendan.el("span", "quality-label"));
      tile.tile.appendChild(tile.quality);
    }
    var sample = entry.sample;
    tile.quality.setAttribute("data-level", entry.level);
    tile.quality.querySelector(".quality-label").textContent = t("quality." + entry.level);
    tile.quality.setAttribute(
      "title",
      t("quality.details", {
        loss: percent(sample.loss),
        rtt: sample.rtt === null ? "-" : Math.round(sample.rtt * 1000),
        fps: Math.round(sample.fps)
      })
    );
  };

  // ---- advice when a link stays bad -------------------------------------------------------------

  QualityMonitor.prototype.buildAdvice = function () {
    var self = this;
    var box = Mendan.el("div", "quality-advice");
    box.setAttribute("data-testid", "quality-advice");
    box.setAttribute("role", "alert");
    box.appendChild(Mendan.el("p", "quality-advice-title"));
    box.appendChild(Mendan.el("p", "quality-advice-text", t("quality.advice.text")));
    var actions = Mendan.el("div", "quality-advice-actions");
    var camera = Mendan.el("button", "button small", t("quality.advice.camera_off"));
    camera.type = "button";
    camera.setAttribute("data-testid", "quality-camera-off");
    camera.onclick = function () {
      self.room.setMedia("camera", false);
      self.renderAdvice();
    };
    var phone = Mendan.el("button", "button small", t("quality.advice.phone"));
    phone.type = "button";
    phone.setAttribute("data-testid", "quality-phone");
    phone.onclick = function () {
      var help = self.room.root.querySelector(".phone-help");
      if (help) {
        help.open = true;
        help.scrollIntoView({ block: "nearest" });
      }
    };
    var close = Mendan.el("button", "button small quality-advice-close", t("quality.advice.dismiss"));
    close.type = "button";
    close.onclick = function () {
      self.dismissed = true;
      self.renderAdvice();
    };
    actions.appendChild(camera);
    actions.appendChild(phone);
    actions.appendChild(close);
    box.appendChild(actions);
    Mendan.show(box, false);
    var videos = Mendan.byId("videos");
    videos.parentNode.insertBefore(box, videos);
    this.cameraButton = camera;
    return box;
  };

  QualityMonitor.prototype.renderAdvice = function () {
    var stuck = null;
    var anyBad = false;
    var ids = Object.keys(this.links);
    for (var i = 0; i < ids.length; i++) {
      var entry = this.links[ids[i]];
      anyBad = anyBad || entry.level === "bad";
      if (!stuck && entry.badRun >= ADVICE_AFTER) {
        stuck = ids[i];
      }
    }
    if (!anyBad) {
      this.dismissed = false; // the next bad spell may advise again
    }
    var person = stuck ? this.room.participants[stuck] : null;
    if (person) {
      this.advice.querySelector(".quality-advice-title").textContent = t("quality.advice.title", { name: person.display_name });
      Mendan.show(this.cameraButton, !!this.room.localStream && this.room.media.camera);
    }
    Mendan.show(this.advice, !!person && !this.dismissed && !this.room.ended);
  };

  QualityMonitor.prototype.stop = function () {
    Mendan.show(this.advice, false);
  };

  Mendan.quality = { grade: grade, measure: measure, readCounters: readCounters };

  Mendan.Room.use(function (room) {
    var monitor = new QualityMonitor(room);
    Mendan.debug.quality = monitor;
    room.on("ended", function () {
      monitor.stop();
    });
  });
})(Mendan);
