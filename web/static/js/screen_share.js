/*
 * 画面共有: anyone whose browser has getDisplayMedia shares a screen, window or tab; everyone sees
 * it large with the cameras small, and the rep's recording shows it the same way. One share at a
 * time: the server says whose it is (screen_share_updated, and the join snapshot).
 *
 * The screen travels on the existing mesh links: the sharer adds a video track in a MediaStream of
 * its own to every link once that link's first negotiation is done, and perfect negotiation
 * (peer.js) carries the new m-line. The stream's id reaches the others as the SDP's msid, so the
 * announced stream_id tells the receivers which incoming stream is the screen and not a camera.
 * The announcement is answered before the track is added, so it always arrives first.
 * A bridge page (no WebRTC) gets the screen as JPEG frames labelled with the same stream id
 * (room_bridge.js hands them here) and shows them in an <img> in place of the <video>.
 * A room feature: registered with Mendan.Room.use. ES5 syntax only.
 */
(function (Mendan, P) {
  "use strict";

  var t = Mendan.t;
  var byId = Mendan.byId;
  var FEATURE = "screen_share";
  var RECORDED_SHARE_WIDTH = 0.75; // of the recording's width; the cameras fill the rest
  var SHARE_FPS = 15; // enough for a product demo; half the encoding work of 30 on every link

  var active = null; // the room's ScreenShare, for the recording's layer

  function ScreenShare(room) {
    this.room = room;
    this.share = null; // {participant_id, stream_id, started_at} as the server announced it
    this.local = null; // our getDisplayMedia stream while we share
    this.starting = false;
    this.senders = []; // {link, sender}: our screen on each link
    this.remote = {}; // stream id -> the MediaStream that arrived with it
    this.framed = {}; // over the bridge: stream ids whose frames were a screen
    this.frames = 0; // over the bridge: frames of the current share painted
    var self = this;
    /* Frames of the current share painted from the bridge (an <img> has no currentTime). */
    Mendan.debug.screenFrames = function () {
      return self.frames;
    };
  }

  ScreenShare.prototype.start = function () {
    var self = this;
    var room = this.room;
    room.streamClaims = function (remoteId, stream) {
      return self.claim(remoteId, stream);
    };
    room.frameClaims = function (message) {
      return self.claimFrame(message);
    };
    room.on("joined", function (reply) {
      self.update(reply.screen_share || null);
    });
    room.on("message", function (message) {
      if (message.type === P.types.screen_share_updated) {
        self.update(message.share || null);
      } else if (message.type === P.types.participant_left && self.share && self.share.participant_id === message.participant_id) {
        self.update(null);
      }
    });
    room.on("participants", function () {
      self.render(); // the host's right to stop, names
    });
    room.on("link", function (remoteId, link) {
      self.addWhenReady(link);
    });
    room.on("ended", function () {
      self.stopLocal();
      self.update(null);
    });
    byId("screen-share-toggle").onclick = function () {
      if (self.local) {
        self.stop();
      } else {
        self.begin();
      }
    };
    byId("screen-share-stop").onclick = function () {
      self.stop();
    };
    Mendan.onCapabilityChange(function () {
      self.render();
    });
    this.render();
  };

  ScreenShare.prototype.mine = function () {
    return !!this.share && this.share.participant_id === this.room.selfId;
  };

  ScreenShare.prototype.update = function (share) {
    this.share = share;
    if (this.local && !this.mine()) {
      this.stopLocal(); // the rep ended our share, or the server no longer knows it
    }
    this.render();
  };

  /* An incoming stream is the screen when its id is the announced one; never a camera tile then. */
  ScreenShare.prototype.claim = function (remoteId, stream) {
    if (this.remote[stream.id] || (this.share && this.share.stream_id === stream.id && this.share.participant_id === remoteId)) {
      this.remote[stream.id] = stream;
      this.render();
      return true;
    }
    return false;
  };

  /* The bridge's frames (room_bridge.js): a screen's are painted here, or dropped once the share
     is over (the host may still deliver a last few), never into the camera tile. */
  ScreenShare.prototype.claimFrame = function (message) {
    var share = this.share;
    var id = message.stream_id;
    var current = !!id && !!share && share.stream_id === id && share.participant_id === message.peer_id;
    if (!current) {
      return !!id && !!this.framed[id];
    }
    this.framed[id] = true;
    screenElement("img").src = "data:image/jpeg;base64," + message.jpeg;
    this.frames++;
    return true;
  };

  /* The shared screen's element: a <video> for a stream, an <img> for the bridge's JPEG frames;
     one element with one id and test hook either way, as the camera tiles (room_view.js). */
  function screenElement(tag) {
    var element = byId("shared-screen");
    if (element.tagName.toLowerCase() !== tag) {
      var other = document.createElement(tag);
      other.id = element.id;
      other.className = element.className;
      other.setAttribute("data-testid", element.getAttribute("data-testid"));
      other.setAttribute("alt", "");
      element.parentNode.replaceChild(other, element);
      element = other;
    }
    return element;
  }

  // ---- sharing our screen ------------------------------------------------------------------------

  ScreenShare.prototype.begin = function () {
    var self = this;
    if (this.local || this.starting || !Mendan.features[FEATURE]) {
      return;
    }
    this.starting = true;
    navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { max: SHARE_FPS } }, audio: false }).then(
      function (stream) {
        self.announce(stream);
      },
      function () {
        self.starting = false;
        self.room.notify(t("room.screen.not_started")); // the person cancelled the picker, or policy
      }
    );
  };

  ScreenShare.prototype.announce = function (stream) {
    var self = this;
    this.room.signaling.request({ type: P.types.start_screen_share, stream_id: stream.id }, function (error, reply) {
      self.starting = false;
      if (error) {
        stopTracks(stream);
        self.room.notify(reply && reply.error && reply.error.message ? reply.error.message : Mendan.errorText(error));
        return;
      }
      self.local = stream;
      stream.getVideoTracks()[0].addEventListener("ended", function () {
        if (self.local === stream) {
          self.stop(); // the browser's own 「共有を停止」 bar
        }
      });
      var ids = Object.keys(self.room.links);
      for (var i = 0; i < ids.length; i++) {
        self.addWhenReady(self.room.links[ids[i]]);
      }
      self.render();
    });
  };

  /* Adds the screen once the link's first offer and answer are through: a track added before
     would make both sides offer at once on a link that is still being set up. */
  ScreenShare.prototype.addWhenReady = function (link) {
    var self = this;
    var pc = link.pc;
    if (!this.local || !pc) {
      return; // not sharing, or a bridge link (the host sends no screen)
    }
    function ready() {
      return pc.signalingState === "stable" && !!pc.remoteDescription;
    }
    function add() {
      var stream = self.local;
      if (!stream || link.closed || self.senderOn(link)) {
        return;
      }
      self.senders.push({ link: link, sender: pc.addTrack(stream.getVideoTracks()[0], stream) });
    }
    if (ready()) {
      add();
      return;
    }
    pc.addEventListener("signalingstatechange", function wait() {
      if (pc.signalingState === "closed") {
        pc.removeEventListener("signalingstatechange", wait);
      } else if (ready()) {
        pc.removeEventListener("signalingstatechange", wait);
        add();
      }
    });
  };

  ScreenShare.prototype.senderOn = function (link) {
    for (var i = 0; i < this.senders.length; i++) {
      if (this.senders[i].link === link) {
        return this.senders[i].sender;
      }
    }
    return null;
  };

  ScreenShare.prototype.stop = function () {
    var self = this;
    var wasMine = !!this.local;
    if (!wasMine && !(this.share && this.room.isHost())) {
      return;
    }
    this.stopLocal();
    this.room.signaling.request({ type: P.types.stop_screen_share }, function (error) {
      if (error && error !== P.errors.NOT_SHARING) {
        self.room.notify(Mendan.errorText(error));
      }
    });
    if (wasMine) {
      this.update(null); // at once here; the others hear it from the server
    }
  };

  /* Takes our screen off every link (a renegotiation each) and releases the capture. */
  ScreenShare.prototype.stopLocal = function () {
    if (!this.local) {
      return;
    }
    var stream = this.local;
    this.local = null;
    for (var i = 0; i < this.senders.length; i++) {
      var entry = this.senders[i];
      if (!entry.link.closed && entry.link.pc.signalingState !== "closed") {
        entry.link.pc.removeTrack(entry.sender);
      }
    }
    this.senders = [];
    stopTracks(stream);
  };

  function stopTracks(stream) {
    var tracks = stream.getTracks();
    for (var i = 0; i < tracks.length; i++) {
      tracks[i].stop();
    }
  }

  // ---- what people see ---------------------------------------------------------------------------

  ScreenShare.prototype.sharerName = function () {
    var person = this.share ? this.room.participants[this.share.participant_id] : null;
    return person ? person.display_name : "";
  };

  ScreenShare.prototype.render = function () {
    var share = this.share;
    var mine = this.mine();
    var video = byId("shared-screen");
    var stream = !share ? null : mine ? this.local : this.remote[share.stream_id] || null;
    if (video.tagName === "IMG") {
      if (!share || !this.framed[share.stream_id]) {
        video.removeAttribute("src"); // no last picture of an earlier share
        this.frames = 0;
      }
    } else if (video.srcObject !== stream) {
      video.srcObject = stream;
    }
    byId("screen-view-who").textContent = !share ? "" : mine ? t("room.screen.you_share") : t("room.screen.sharing", { name: this.sharerName() });
    Mendan.show(byId("screen-view"), !!share);
    Mendan.show(byId("screen-share-stop"), !!share && (mine || this.room.isHost()));
    if (share) {
      this.room.root.classList.add("showing-screen");
    } else {
      this.room.root.classList.remove("showing-screen");
    }
    this.renderButton(share, mine);
  };

  ScreenShare.prototype.renderButton = function (share, mine) {
    var button = byId("screen-share-toggle");
    button.querySelector(".label").textContent = t(mine ? "room.screen.stop" : "room.screen.share");
    button.setAttribute("aria-pressed", String(mine));
    button.className = "control" + (mine ? " sharing" : "");
    if (!Mendan.requireFeature(button, FEATURE) || this.room.ended) {
      return; // disabled with the reason from compat/ (phones, old engines, the bridge)
    }
    var busy = !!share && !mine;
    button.disabled = busy;
    if (busy) {
      button.setAttribute("title", t("room.screen.busy", { name: this.sharerName() }));
    } else {
      button.removeAttribute("title");
    }
  };

  // ---- the recording -----------------------------------------------------------------------------

  function fit(ctx, video, x, y, w, h) {
    var scale = Math.min(w / video.videoWidth, h / video.videoHeight);
    var dw = video.videoWidth * scale;
    var dh = video.videoHeight * scale;
    ctx.drawImage(video, x + (w - dw) / 2, y + (h - dh) / 2, dw, dh);
  }

  function playing(video) {
    return !!video && !!video.srcObject && video.videoWidth > 0 && video.readyState >= 2;
  }

  /* While a screen is shared, the recording shows it large and the cameras in a column beside it. */
  function drawSharedScreen(ctx, width, height) {
    var screen = byId("shared-screen");
    if (!active || !active.share || !playing(screen)) {
      return;
    }
    var shareWidth = Math.round(width * RECORDED_SHARE_WIDTH);
    ctx.fillStyle = "#18212b";
    ctx.fillRect(0, 0, width, height);
    fit(ctx, screen, 0, 0, shareWidth, height);
    var cameras = [byId("local-video")];
    var ids = Object.keys(active.room.tiles);
    for (var i = 0; i < ids.length; i++) {
      cameras.push(active.room.tiles[ids[i]].video);
    }
    var cell = height / 4;
    var drawn = 0;
    for (var j = 0; j < cameras.length && drawn < 4; j++) {
      if (playing(cameras[j])) {
        fit(ctx, cameras[j], shareWidth + 4, drawn * cell + 2, width - shareWidth - 8, cell - 4);
        drawn++;
      }
    }
  }

  Mendan.Room.use(function (room) {
    active = new ScreenShare(room);
    active.start();
    if (Mendan.Recorder && Mendan.Recorder.layers.indexOf(drawSharedScreen) < 0) {
      Mendan.Recorder.layers.push(drawSharedScreen);
    }
  });
})(Mendan, MendanProtocol);
