/*
 * Device check before joining: camera preview, mic level meter, speaker test and device
 * pickers, with advice when a device is missing or blocked. The chosen devices are remembered and
 * used when the meeting starts camera and mic. ES5 syntax only.
 */
(function (Mendan) {
  "use strict";

  var t = Mendan.t;
  var byId = Mendan.byId;
  var STORAGE_KEY = "mendan.devices";
  var QUIET_AFTER_MS = 6000;

  function saved() {
    try {
      return JSON.parse(window.localStorage.getItem(STORAGE_KEY) || "{}") || {};
    } catch (ignored) {
      return {};
    }
  }

  function save(choice) {
    try {
      window.localStorage.setItem(STORAGE_KEY, JSON.stringify(choice));
    } catch (ignored) {
      /* no storage (private mode): the choice lasts for this page only */
    }
  }

  /* getUserMedia constraints for the remembered devices (falling back to defaults if gone). */
  function constraints(kinds) {
    var choice = saved();
    var ask = {};
    if (kinds.audio) {
      ask.audio = choice.mic ? { deviceId: { ideal: choice.mic } } : true;
    }
    if (kinds.video) {
      ask.video = { width: { ideal: 640 }, height: { ideal: 480 } };
      if (choice.camera) {
        ask.video.deviceId = { ideal: choice.camera };
      }
    }
    return ask;
  }

  function DeviceCheck() {
    this.stream = null;
    this.audio = null;
    this.meterFrame = null;
    this.heardAt = 0;
    this.openedAt = 0;
  }

  DeviceCheck.prototype.bind = function () {
    var self = this;
    byId("device-check-open").onclick = function () {
      self.open();
    };
    byId("device-close").onclick = function () {
      self.close();
    };
    byId("camera-select").onchange = function () {
      self.choose("camera", this.value);
    };
    byId("mic-select").onchange = function () {
      self.choose("mic", this.value);
    };
    byId("speaker-select").onchange = function () {
      self.choose("speaker", this.value);
    };
    byId("speaker-test").onclick = function () {
      self.playTestSound();
    };
    Mendan.requireFeature(byId("device-check-open"), "video_call");
    // http:// beyond localhost: the one reason there is no camera or mic here, said on every page with them
    Mendan.show(byId("secure-context-notice"), !Mendan.capabilities.secure_context);
  };

  DeviceCheck.prototype.open = function () {
    Mendan.show(byId("device-check"), true);
    this.openedAt = Date.now();
    this.heardAt = 0;
    this.start();
  };

  DeviceCheck.prototype.start = function () {
    var self = this;
    this.stop();
    this.report("", "");
    navigator.mediaDevices
      .getUserMedia(constraints({ audio: true, video: true }))
      .then(function (stream) {
        self.show(stream);
        self.report(t("devices.ok"), "");
      })
      .catch(function (error) {
        self.fallBack(error);
      });
  };

  /* One device failing should not hide the other: try each alone and say which one is missing. */
  DeviceCheck.prototype.fallBack = function (error) {
    var self = this;
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError") {
      this.report("", t("room.media_error.denied"));
      this.listDevices();
      return;
    }
    navigator.mediaDevices
      .getUserMedia(constraints({ audio: true }))
      .then(function (stream) {
        self.show(stream);
        self.report("", t("devices.no_camera"));
      })
      .catch(function () {
        navigator.mediaDevices
          .getUserMedia(constraints({ video: true }))
          .then(function (stream) {
            self.show(stream);
            self.report("", t("devices.no_mic"));
          })
          .catch(function (last) {
            var key = last && last.name === "NotReadableError" ? "room.media_error.busy" : "room.media_error.not_found";
            self.report("", t(key));
            self.listDevices();
          });
      });
  };

  DeviceCheck.prototype.report = function (ok, error) {
    byId("device-ok").textContent = ok;
    byId("device-error").textContent = error;
  };

  DeviceCheck.prototype.show = function (stream) {
    this.stream = stream;
    byId("device-preview").srcObject = stream;
    this.listDevices();
    if (stream.getAudioTracks().length) {
      this.measure(stream);
    }
  };

  DeviceCheck.prototype.listDevices = function () {
    var choice = saved();
    var current = {};
    if (this.stream) {
      var tracks = this.stream.getTracks();
      for (var i = 0; i < tracks.length; i++) {
        var settings = tracks[i].getSettings ? tracks[i].getSettings() : {};
        current[tracks[i].kind === "video" ? "camera" : "mic"] = settings.deviceId;
      }
    }
    navigator.mediaDevices.enumerateDevices().then(function (devices) {
      fill(byId("camera-select"), devices, "videoinput", current.camera || choice.camera, "");
      fill(byId("mic-select"), devices, "audioinput", current.mic || choice.mic, "");
      var speakers = byId("speaker-select");
      var canPick = typeof HTMLMediaElement !== "undefined" && "setSinkId" in HTMLMediaElement.prototype;
      fill(speakers, devices, "audiooutput", choice.speaker, t("devices.speaker_default"));
      speakers.disabled = !canPick;
      speakers.title = canPick ? "" : t("devices.speaker_unselectable");
    });
  };

  function fill(select, devices, kind, selected, defaultLabel) {
    select.innerHTML = "";
    if (defaultLabel) {
      select.appendChild(new Option(defaultLabel, ""));
    }
    var count = 0;
    for (var i = 0; i < devices.length; i++) {
      if (devices[i].kind === kind) {
        count += 1;
        var label = devices[i].label || t(kind === "videoinput" ? "devices.camera" : "devices.mic") + " " + count;
        select.appendChild(new Option(label, devices[i].deviceId, false, devices[i].deviceId === selected));
      }
    }
    select.disabled = select.options.length === 0;
  }

  /* The mic meter: loudness from an AnalyserNode, redrawn every animation frame. */
  DeviceCheck.prototype.measure = function (stream) {
    var self = this;
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) {
      return;
    }
    this.audio = new Context();
    var analyser = this.audio.createAnalyser();
    analyser.fftSize = 512;
    this.audio.createMediaStreamSource(stream).connect(analyser);
    var samples = new Uint8Array(analyser.fftSize);
    var bar = byId("mic-meter");
    function draw() {
      analyser.getByteTimeDomainData(samples);
      var peak = 0;
      for (var i = 0; i < samples.length; i++) {
        peak = Math.max(peak, Math.abs(samples[i] - 128));
      }
      var level = Math.min(100, Math.round((peak / 128) * 160));
      bar.style.width = level + "%";
      bar.parentNode.setAttribute("aria-valuenow", String(level));
      if (level > 8) {
        self.heardAt = Date.now();
      } else if (!self.heardAt && Date.now() - self.openedAt > QUIET_AFTER_MS && !byId("device-error").textContent) {
        self.report("", t("devices.quiet"));
      }
      self.meterFrame = window.requestAnimationFrame(draw);
    }
    draw();
  };

  DeviceCheck.prototype.choose = function (kind, deviceId) {
    var choice = saved();
    choice[kind] = deviceId;
    save(choice);
    if (kind === "speaker") {
      Mendan.applySpeaker(byId("device-preview"));
      return;
    }
    this.start();
  };

  /* A short two-note chime through the chosen speaker. */
  DeviceCheck.prototype.playTestSound = function () {
    var Context = window.AudioContext || window.webkitAudioContext;
    var button = byId("speaker-test");
    if (!Context) {
      return;
    }
    var context = new Context();
    var destination = context.createMediaStreamDestination();
    var gain = context.createGain();
    gain.gain.value = 0.2;
    gain.connect(destination);
    [660, 880].forEach(function (frequency, index) {
      var tone = context.createOscillator();
      tone.frequency.value = frequency;
      tone.connect(gain);
      tone.start(context.currentTime + index * 0.35);
      tone.stop(context.currentTime + index * 0.35 + 0.3);
    });
    var player = new Audio();
    player.srcObject = destination.stream;
    Mendan.applySpeaker(player);
    player.play();
    button.textContent = t("devices.speaker_playing");
    button.setAttribute("data-played", "1");
    window.setTimeout(function () {
      player.pause();
      context.close();
      button.textContent = t("devices.speaker_test");
    }, 900);
  };

  DeviceCheck.prototype.stop = function () {
    if (this.meterFrame) {
      window.cancelAnimationFrame(this.meterFrame);
      this.meterFrame = null;
    }
    if (this.audio) {
      this.audio.close();
      this.audio = null;
    }
    if (this.stream) {
      this.stream.getTracks().forEach(function (track) {
        track.stop();
      });
      this.stream = null;
      byId("device-preview").srcObject = null; // no frozen last frame of a camera let go
    }
  };

  DeviceCheck.prototype.close = function () {
    this.stop();
    Mendan.show(byId("device-check"), false);
  };

  /* Play a media element through the remembered speaker, where the browser can choose one. */
  Mendan.applySpeaker = function (element) {
    var speaker = saved().speaker;
    if (speaker && element.setSinkId) {
      element.setSinkId(speaker).catch(function (error) {
        if (window.console) {
          window.console.warn("speaker not available, using the default", error);
        }
      });
    }
  };
  Mendan.mediaConstraints = constraints;

  if (byId("device-check")) {
    Mendan.deviceCheck = new DeviceCheck();
    Mendan.deviceCheck.bind();
  }
})(Mendan);
