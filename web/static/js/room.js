/*
 * The meeting room: roster, videos, controls and the mesh of PeerLinks. Mounted in place by the
 * start page (customer) and the dashboard (rep). ES5 syntax only.
 */
(function (Mendan, P) {
  "use strict";

  var t = Mendan.t;
  var byId = Mendan.byId;

  function hasWebRtc() {
    return typeof window.RTCPeerConnection === "function" && !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  }

  function mediaErrorKey(error) {
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError") {
      return "room.media_error.denied";
    }
    if (name === "NotFoundError" || name === "OverconstrainedError") {
      return "room.media_error.not_found";
    }
    if (name === "NotReadableError" || name === "AbortError") {
      return "room.media_error.busy";
    }
    return "room.media_error.other";
  }

  /*
   * options: ticket, askBeforeMedia (customer: wait for the one click of ),
   * onStarted(meeting), onEnded(reason).
   */
  function Room(options) {
    this.options = options;
    this.root = byId("room");
    this.participants = {};
    this.tiles = {};
    this.selfId = null;
    this.meeting = null;
    this.state = "waiting";
    this.ended = false;
    this.localStream = null;
    this.iceServers = [];
    this.icePolicy = "all";
    this.media = { ready: false, camera: true, mic: true };
    this.speakerOn = true;
    this.videoShown = true;
    this.firstFrameAt = {};
    this.signaling = new Mendan.Signaling(options.ticket, {
      onJoined: this.onJoined.bind(this),
      onMessage: this.onMessage.bind(this),
      onDrop: this.onDrop.bind(this),
      onFatal: this.onFatal.bind(this)
    });
    this.mesh = this.makeMesh();
    this.listeners = {};
    Mendan.debug.room = this;
  }

  /*
   * Features beyond the call (documents, recording, the bridge …) live in their own files and
   * register here: Room.use(function (room) { room.on("message", …); }). Events:
   *   joined(reply, again)  every (re)join with the snapshot
   *   message(message)      every server message (a feature handles its own types)
   *   participants()        the roster changed
   *   localStream(stream)   camera and mic started
   *   remoteStream(id, stream)
   *   link(id, link)        a new link (one generation) to participant id
   *   ended(reason)
   */
  Room.features = [];
  Room.use = function (feature) {
    Room.features.push(feature);
  };

  Room.prototype.on = function (name, listener) {
    (this.listeners[name] = this.listeners[name] || []).push(listener);
  };

  Room.prototype.emit = function (name) {
    var args = Array.prototype.slice.call(arguments, 1);
    var listeners = this.listeners[name] || [];
    for (var i = 0; i < listeners.length; i++) {
      try {
        listeners[i].apply(this, args);
      } catch (error) {
        if (window.console) {
          window.console.error("room feature failed on " + name, error); // one feature must not stop the call
        }
      }
    }
  };

  Room.prototype.isHost = function () {
    var me = this.participants[this.selfId];
    return !!me && me.role === P.roles.HOST;
  };

  Room.prototype.start = function () {
    this.bindControls();
    for (var i = 0; i < Room.features.length; i++) {
      Room.features[i](this);
    }
    this.signaling.connect();
  };

  Room.prototype.show = function () {
    Mendan.show(this.root, true);
  };

  /* Controls for features this browser lacks are disabled, with the reason shown. */
  Room.prototype.applyCompat = function () {
    if (this.ended) {
      return;
    }
    var needs = {
      "start-media": "video_call",
      "mic-toggle": "video_call",
      "camera-toggle": "video_call",
      "speaker-toggle": "video_call"
    };
    for (var id in needs) {
      if (needs.hasOwnProperty(id)) {
        Mendan.requireFeature(byId(id), needs[id]);
      }
    }
    var reason = Mendan.unavailableReason("video_call");
    byId("consent-unsupported").textContent = reason;
    Mendan.show(byId("consent-unsupported"), !!reason);
    Mendan.show(byId("consent-bridge-link"), Mendan.browserCouldHelp("video_call"));
    var speaker = byId("speaker-toggle");
    if (this.usesBridge()) {
      speaker.disabled = true; // the host plays the sound itself: the PC's volume is the control
      speaker.setAttribute("title", t("compat.reason.bridge_speaker"));
    }
  };

  /* No WebRTC of its own, but the Mendan bridge answered: the native host makes the calls. */
  Room.prototype.usesBridge = function () {
    return !hasWebRtc() && Mendan.bridgeReady === true && !!Mendan.BridgePeerLink;
  };

  Room.prototype.bindControls = function () {
    var self = this;
    this.applyCompat();
    Mendan.onCapabilityChange(function () {
      self.applyCompat();
    });
    byId("mic-toggle").onclick = function () {
      self.setMedia("mic", !self.media.mic);
    };
    byId("camera-toggle").onclick = function () {
      self.setMedia("camera", !self.media.camera);
    };
    byId("speaker-toggle").onclick = function () {
      self.setSpeaker(!self.speakerOn);
    };
    byId("video-share-toggle").onclick = function () {
      self.videoShown = !self.videoShown;
      Mendan.show(byId("videos"), self.videoShown);
      byId("video-share-toggle").setAttribute("aria-pressed", String(self.videoShown));
    };
    byId("leave-button").onclick = function () {
      self.leave();
    };
    byId("start-media").onclick = function () {
      Mendan.show(byId("consent"), false);
      self.startMedia();
    };
  };

  // ---- signaling events ----------------------------------------------------------------------

  Room.prototype.onJoined = function (reply, again) {
    var self = this;
    this.selfId = reply.self_id;
    this.meeting = reply.meeting;
    this.iceServers = reply.ice_servers || [];
    this.icePolicy = reply.ice_transport_policy || "all";
    var present = {};
    for (var i = 0; i < reply.participants.length; i++) {
      present[reply.participants[i].id] = true;
      this.participants[reply.participants[i].id] = reply.participants[i];
    }
    Object.keys(this.participants).forEach(function (id) {
      if (!present[id]) {
        self.removeParticipant(id);
      }
    });
    if (again) {
      this.notify(t("room.notice.reconnected"));
    }
    this.syncMedia();
    this.renderMeeting();
    this.renderRoster();
    this.afterRosterChange();
    this.emit("joined", reply, again);
  };

  Room.prototype.onMessage = function (message) {
    this.handleMessage(message);
    this.emit("message", message);
  };

  Room.prototype.handleMessage = function (message) {
    var types = P.types;
    if (message.type === types.participant_joined) {
      this.participants[message.participant.id] = message.participant;
      if (message.participant.id !== this.selfId && this.meeting && this.meeting.state !== "waiting") {
        this.notify(t("room.notice.participant_joined", { name: message.participant.display_name }));
      }
      this.renderRoster();
      this.afterRosterChange();
    } else if (message.type === types.participant_updated) {
      var known = this.participants[message.participant.id];
      if (!known || known.version < message.participant.version) {
        this.participants[message.participant.id] = message.participant;
        this.renderRoster();
        this.afterRosterChange();
      }
    } else if (message.type === types.participant_left) {
      var gone = this.participants[message.participant_id];
      this.removeParticipant(message.participant_id);
      if (gone && !this.ended) {
        this.notify(t("room.notice.participant_left", { name: gone.display_name }));
      }
      this.renderRoster();
    } else if (message.type === types.signal_relayed) {
      this.onSignal(message);
    } else if (message.type === types.meeting_started) {
      this.meeting = message.meeting;
      this.renderMeeting();
      this.afterRosterChange();
    } else if (message.type === types.meeting_ended) {
      this.end(message.reason);
    }
  };

  Room.prototype.onDrop = function () {
    if (!this.ended && this.meeting && this.meeting.state === "active") {
      this.notify(t("room.notice.reconnecting"));
    }
  };

  Room.prototype.onFatal = function (code) {
    if (code === P.errors.MEETING_ENDED || code === P.errors.INVALID_TICKET) {
      this.end(P.endReasons.CONNECTION_LOST);
    } else {
      this.notify(Mendan.errorText(code));
    }
  };

  // ---- the mesh ------------------------------------------------------------------------------

  Room.prototype.afterRosterChange = function () {
    this.emit("participants");
    var host = this.findRole(P.roles.HOST);
    var waitingForClick = this.options.askBeforeMedia && !this.media.ready && !this.mediaStarting;
    if (host && host.id !== this.selfId && waitingForClick && this.meeting && this.meeting.state === "active") {
      byId("consent-who").textContent = t("room.consent.who", { name: host.display_name, company: host.company_name || "" });
      Mendan.show(byId("consent"), true);
    }
    this.connectPeers();
  };

  Room.prototype.findRole = function (role) {
    var ids = Object.keys(this.participants);
    for (var i = 0; i < ids.length; i++) {
      if (this.participants[ids[i]].role === role) {
        return this.participants[ids[i]];
      }
    }
    return null;
  };

  /* Both sides must have started media; the one with the smaller id then makes the offer. */
  Room.prototype.connectPeers = function () {
    if (!this.media.ready || this.ended || !this.selfId) {
      return;
    }
    var ids = Object.keys(this.participants);
    for (var i = 0; i < ids.length; i++) {
      var other = this.participants[ids[i]];
      if (other.id === this.selfId || !other.media.ready || this.links[other.id]) {
        continue;
      }
      if (this.selfId < other.id) {
        this.mesh.connect(other.id);
      }
    }
  };

  /* The mesh keeps one link per other participant in step with theirs (mesh.js). */
  Room.prototype.makeMesh = function () {
    var self = this;
    var mesh = new Mendan.Mesh({
      signaling: this.signaling,
      mayRebuild: function (remoteId) {
        var other = self.participants[remoteId];
        return !self.ended && !!other && other.media.ready && other.state !== P.participantStates.RECONNECTING;
      },
      log: function (text) {
        if (window.console) {
          window.console.info("mesh: " + text);
        }
      },
      createLink: function (remoteId, signaling) {
        var Link = self.usesBridge() ? Mendan.BridgePeerLink : Mendan.PeerLink;
        var link = new Link({
          selfId: self.selfId,
          remoteId: remoteId,
          signaling: signaling,
          localStream: self.localStream,
          iceServers: self.iceServers,
          icePolicy: self.icePolicy,
          onTrack: function (stream) {
            self.attachStream(remoteId, stream);
          },
          onState: function (state) {
            self.renderTile(remoteId);
            if (state === "connected") {
              self.setState("connected");
            }
          }
        });
        self.emit("link", remoteId, link); // features that send more than the camera (screen_share.js)
        return link;
      }
    });
    this.links = mesh.links; // remote participant id -> its current link
    return mesh;
  };

  Room.prototype.onSignal = function (message) {
    if (!this.participants[message.sender] || this.ended) {
      return; // nothing from someone we were not told about
    }
    if (!this.links[message.sender] && !this.media.ready) {
      return; // our media has not started; the offer is repeated once it has
    }
    this.mesh.route(message);
  };

  // ---- local media ---------------------------------------------------------------------------

  /* Camera and mic, asked for at once (the rep's page starts this while the number is checked). */
  Room.requestMedia = function () {
    if (Mendan.deviceCheck) {
      Mendan.deviceCheck.close(); // it holds the camera: hand it to the meeting
    }
    var ask = Mendan.mediaConstraints
      ? Mendan.mediaConstraints({ audio: true, video: true })
      : { audio: true, video: { width: { ideal: 640 }, height: { ideal: 480 } } };
    return navigator.mediaDevices.getUserMedia(ask);
  };

  Room.prototype.startMedia = function (pending) {
    var self = this;
    if (this.media.ready || this.mediaStarting) {
      return;
    }
    if (this.usesBridge()) {
      this.startBridgeMedia();
      return;
    }
    if (!hasWebRtc()) {
      this.notify(t("room.media_error.unsupported"));
      return;
    }
    this.mediaStarting = true;
    (pending || Room.requestMedia())
      .then(function (stream) {
        self.localStream = stream;
        self.emit("localStream", stream);
        var video = byId("local-video");
        video.srcObject = stream;
        Mendan.show(byId("local-tile"), true);
        byId("local-name").textContent = t("room.self_label");
        self.publishMedia({ ready: true, camera: true, mic: true });
      })
      .catch(function (error) {
        // Go on without camera and mic: the customer still sees and hears the others.
        self.notify(t(mediaErrorKey(error)));
        self.publishMedia({ ready: true, camera: false, mic: false });
      });
  };

  Room.prototype.publishMedia = function (media) {
    this.media = media;
    this.mediaStarting = false;
    this.syncMedia();
    this.renderControls();
    Mendan.show(byId("waiting-media"), this.state !== "connected");
    this.connectPeers();
  };

  /* Tell the server what we send, unless it knows already; again after every (re)join. */
  Room.prototype.syncMedia = function () {
    var self = this;
    var known = this.participants[this.selfId];
    if (!known) {
      return; // not joined yet: onJoined calls this again
    }
    var same = known.media.ready === this.media.ready && known.media.camera === this.media.camera && known.media.mic === this.media.mic;
    if (same) {
      return;
    }
    var media = { ready: this.media.ready, camera: this.media.camera, mic: this.media.mic };
    this.signaling.request({ type: P.types.update_media, media: media }, function (error) {
      if (error && window.console) {
        window.console.warn("media state not sent (" + error + "); it is sent again on re-join");
      }
    });
  };

  Room.prototype.setMedia = function (kind, on) {
    if (this.usesBridge() && this.media.ready) {
      var wanted = { ready: true, camera: this.media.camera, mic: this.media.mic };
      wanted[kind] = on;
      Mendan.bridge.post({ type: "set_media", camera: wanted.camera, mic: wanted.mic });
      this.publishMedia(wanted);
      return;
    }
    if (!this.localStream) {
      return;
    }
    var tracks = kind === "mic" ? this.localStream.getAudioTracks() : this.localStream.getVideoTracks();
    for (var i = 0; i < tracks.length; i++) {
      tracks[i].enabled = on;
    }
    var media = { ready: this.media.ready, camera: this.media.camera, mic: this.media.mic };
    media[kind] = on;
    this.publishMedia(media);
  };

  Room.prototype.setSpeaker = function (on) {
    this.speakerOn = on;
    var ids = Object.keys(this.tiles);
    for (var i = 0; i < ids.length; i++) {
      this.tiles[ids[i]].video.muted = !on;
    }
    this.renderControls();
  };

  // ---- leaving -------------------------------------------------------------------------------

  Room.prototype.leave = function () {
    var self = this;
    if (this.ended) {
      return;
    }
    byId("leave-button").disabled = true;
    this.signaling.request({ type: P.types.leave }, function () {
      self.end(P.endReasons.LEFT);
    });
  };

  Room.prototype.end = function (reason) {
    if (this.ended) {
      return;
    }
    this.ended = true;
    this.signaling.stop();
    this.mesh.closeAll();
    if (this.localStream) {
      this.localStream.getTracks().forEach(function (track) {
        track.stop();
      });
    }
    if (this.usesBridge()) {
      Mendan.bridge.post({ type: "shutdown" }); // release camera and mic on the PC
    }
    Mendan.show(byId("consent"), false);
    Mendan.show(byId("waiting-media"), false);
    Mendan.show(byId("local-tile"), false);
    Mendan.show(byId("recording-indicator"), false);
    this.setState("ended");
    var key = "room.notice." + reason;
    var text = t(key) === key ? t("room.state.ended") : t(key);
    if (reason === P.endReasons.OTHER_LEFT && this.findRole(P.roles.HOST) && this.selfId === this.findRole(P.roles.HOST).id) {
      text += " " + t("room.notice.again");
    }
    this.notify(text);
    Mendan.show(byId("ended-actions"), true);
    var controls = this.root.querySelectorAll(".control");
    for (var j = 0; j < controls.length; j++) {
      controls[j].disabled = true;
    }
    if (this.options.onEnded) {
      this.options.onEnded(reason);
    }
    this.emit("ended", reason);
  };

  // ---- rendering -----------------------------------------------------------------------------

  Room.prototype.setState = function (state) {
    if (this.state === "ended") {
      return;
    }
    this.state = state;
    this.root.setAttribute("data-state", state);
    byId("room-state").textContent = t("room.state." + state);
    if (state !== "waiting") {
      Mendan.show(byId("waiting-media"), false);
    }
  };

  Room.prototype.notify = function (text) {
    byId("notice").textContent = text;
  };

  Room.prototype.renderMeeting = function () {
    if (!this.meeting) {
      return;
    }
    if (this.meeting.state === "active" && !this.startedShown) {
      this.startedShown = true;
      this.show();
      if (this.options.onStarted) {
        this.options.onStarted(this.meeting);
      }
    }
    byId("room-number").textContent = t("room.number", { number: this.meeting.number });
    Mendan.show(byId("recording-indicator"), !!this.meeting.recording && this.meeting.state === "active");
  };

  Room.prototype.renderRoster = function () {
    var list = byId("roster");
    list.innerHTML = "";
    var ids = Object.keys(this.participants);
    for (var i = 0; i < ids.length; i++) {
      var person = this.participants[ids[i]];
      var item = document.createElement("li");
      item.setAttribute("data-testid", "roster-entry");
      item.className = "roster-entry " + person.state;
      var name = document.createElement("span");
      name.className = "roster-name";
      name.textContent = person.display_name + (person.id === this.selfId ? " " + t("room.you") : "");
      var role = document.createElement("span");
      role.className = "roster-role";
      role.textContent = t("room.role." + person.role) + (person.company_name ? " ・ " + person.company_name : "");
      item.appendChild(name);
      item.appendChild(role);
      if (person.state === P.participantStates.RECONNECTING) {
        var badge = document.createElement("span");
        badge.className = "roster-badge";
        badge.textContent = t("room.reconnecting");
        item.appendChild(badge);
      }
      list.appendChild(item);
      if (this.tiles[person.id]) {
        this.renderTile(person.id);
      }
    }
  };

  Room.prototype.tileFor = function (remoteId) {
    var self = this;
    if (this.tiles[remoteId]) {
      return this.tiles[remoteId];
    }
    var tile = document.createElement("div");
    tile.className = "tile remote";
    // With the bridge, remote video arrives as JPEG frames: an <img> instead of a <video>.
    var video = document.createElement(this.usesBridge() ? "img" : "video");
    video.setAttribute("data-testid", "remote-video");
    video.setAttribute("data-participant", remoteId);
    video.setAttribute("alt", "");
    video.autoplay = true;
    video.playsInline = true;
    video.muted = !this.speakerOn;
    if (Mendan.applySpeaker) {
      Mendan.applySpeaker(video); // the speaker chosen in the device check
    }
    var name = document.createElement("span");
    name.className = "tile-name";
    var badge = document.createElement("span");
    badge.className = "tile-badge";
    tile.appendChild(video);
    tile.appendChild(name);
    tile.appendChild(badge);
    byId("videos").insertBefore(tile, byId("local-tile"));
    video.addEventListener("playing", function () {
      self.setState("connected");
    });
    this.tiles[remoteId] = { tile: tile, video: video, name: name, badge: badge };
    this.watchFirstFrame(remoteId, video);
    return this.tiles[remoteId];
  };

  /* Records when the first remote frame was painted (the connect benchmark reads it). */
  Room.prototype.watchFirstFrame = function (remoteId, video) {
    var self = this;
    if (video.requestVideoFrameCallback) {
      video.requestVideoFrameCallback(function () {
        self.firstFrameAt[remoteId] = Date.now();
      });
    }
  };

  Room.prototype.attachStream = function (remoteId, stream) {
    if (this.streamClaims && this.streamClaims(remoteId, stream)) {
      return; // not a camera: a feature shows it (screen_share.js)
    }
    var entry = this.tileFor(remoteId);
    if (entry.video.srcObject !== stream) {
      entry.video.srcObject = stream;
      this.emit("remoteStream", remoteId, stream);
    }
    this.renderTile(remoteId);
  };

  Room.prototype.renderTile = function (remoteId) {
    var entry = this.tiles[remoteId];
    var person = this.participants[remoteId];
    if (!entry || !person) {
      return;
    }
    entry.name.textContent = person.display_name;
    var badge = "";
    if (person.state === P.participantStates.RECONNECTING) {
      badge = t("room.reconnecting");
    } else if (!person.media.camera) {
      badge = t("room.camera_off");
    }
    entry.badge.textContent = badge;
    Mendan.show(entry.badge, !!badge);
  };

  Room.prototype.removeParticipant = function (id) {
    this.mesh.close(id);
    if (this.tiles[id]) {
      this.tiles[id].tile.parentNode.removeChild(this.tiles[id].tile);
      delete this.tiles[id];
    }
    delete this.participants[id];
  };

  Room.prototype.renderControls = function () {
    function paint(id, on, onKey, offKey) {
      var button = byId(id);
      button.setAttribute("aria-pressed", String(on));
      button.className = "control" + (on ? "" : " off");
      button.querySelector(".label").textContent = t(on ? onKey : offKey);
    }
    paint("mic-toggle", this.media.mic, "room.mic_on", "room.mic_off");
    paint("camera-toggle", this.media.camera, "room.camera_on", "room.camera_off_button");
    paint("speaker-toggle", this.speakerOn, "room.speaker_on", "room.speaker_off");
  };

  Room.hasWebRtc = hasWebRtc;
  Mendan.Room = Room;
})(Mendan, MendanProtocol);
