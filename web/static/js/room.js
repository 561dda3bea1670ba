/*
 * The meeting room: mounted in place by the start page (customer), the invite page and the
 * dashboard (rep). This file holds the room's life (join, messages, media state, leaving) and
 * hands each concern to its own module:
 *   room_roster.js    who is there            room_view.js      what the page shows
 *   room_mesh.js      the peer links          room_controls.js  the buttons
 *   room_media.js     the media backend (browser WebRTC, or the bridge in room_bridge.js)
 *   room_debug.js     Mendan.debug, the surface tests and benches read (docs/pages.md)
 * ES5 syntax only.
 */
(function (Mendan, P) {
  "use strict";

  var t = Mendan.t;
  var byId = Mendan.byId;

  /*
   * options: ticket, askBeforeMedia (customer: wait for the one click of ),
   * onStarted(meeting), onEnded(reason).
   */
  function Room(options) {
    this.options = options;
    this.root = byId("room");
    this.roster = new Mendan.RoomRoster();
    this.participants = this.roster.people;
    this.selfId = null;
    this.meeting = null;
    this.state = "waiting";
    this.ended = false;
    this.backend = null; // chosen when media starts (the bridge may answer after page load)
    this.localStream = null;
    this.iceServers = [];
    this.icePolicy = "all";
    this.media = { ready: false, camera: true, mic: true };
    this.speakerOn = true;
    this.videoShown = true;
    this.listeners = {};
    this.signaling = new Mendan.Signaling(options.ticket, {
      onJoined: this.onJoined.bind(this),
      onMessage: this.onMessage.bind(this),
      onDrop: this.onDrop.bind(this),
      onFatal: this.onFatal.bind(this)
    });
    this.view = new Mendan.RoomView(this);
    this.tiles = this.view.tiles;
    this.meshWiring = new Mendan.RoomMesh(this);
    this.mesh = this.meshWiring.mesh;
    this.links = this.meshWiring.links; // remote participant id -> its current link
    Mendan.debug.attach(this);
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
   *   view(id, size)        participant id shows our video at {width, height} device pixels
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
    return this.roster.isHost(this.selfId);
  };

  Room.prototype.findRole = function (role) {
    return this.roster.find(role);
  };

  Room.prototype.notify = function (text) {
    this.view.notify(text);
  };

  Room.prototype.start = function () {
    Mendan.roomControls.bind(this);
    for (var i = 0; i < Room.features.length; i++) {
      Room.features[i](this);
    }
    this.signaling.connect();
  };

  Room.prototype.show = function () {
    Mendan.show(this.root, true);
  };

  // ---- signaling events ----------------------------------------------------------------------

  Room.prototype.onJoined = function (reply, again) {
    this.selfId = reply.self_id;
    this.meeting = reply.meeting;
    this.iceServers = reply.ice_servers || [];
    this.icePolicy = reply.ice_transport_policy || "all";
    var gone = this.roster.replace(reply.participants);
    for (var i = 0; i < gone.length; i++) {
      this.removeParticipant(gone[i]);
    }
    if (again) {
      this.notify(t("room.notice.reconnected"));
    }
    this.syncMedia();
    this.view.renderMeeting();
    this.view.renderRoster();
    this.afterRosterChange();
    this.emit("joined", reply, again);
  };

  Room.prototype.onMessage = function (message) {
    this.handleMessage(message);
    this.emit("message", message);
  };

  Room.prototype.handleMessage = function (message) {
    var types = P.types;
    var applied = this.roster.apply(message);
    if (applied && applied.change === "left") {
      this.removeParticipant(applied.person.id);
      if (applied.person.display_name && !this.ended) {
        this.notify(t("room.notice.participant_left", { name: applied.person.display_name }));
      }
      this.view.renderRoster();
    } else if (applied) {
      var arrived = applied.change === "joined" && applied.person.id !== this.selfId;
      if (arrived && this.meeting && this.meeting.state !== P.meetingStates.WAITING) {
        this.notify(t("room.notice.participant_joined", { name: applied.person.display_name }));
      }
      this.view.renderRoster();
      this.afterRosterChange();
    } else if (message.type === types.signal_relayed) {
      this.meshWiring.onSignal(message);
    } else if (message.type === types.meeting_started) {
      this.meeting = message.meeting;
      this.view.renderMeeting();
      this.afterRosterChange();
    } else if (message.type === types.meeting_ended) {
      this.end(message.reason);
    }
  };

  Room.prototype.onDrop = function () {
    if (!this.ended && this.meeting && this.meeting.state === P.meetingStates.ACTIVE) {
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

  Room.prototype.afterRosterChange = function () {
    this.emit("participants");
    var host = this.findRole(P.roles.HOST);
    var waitingForClick = this.options.askBeforeMedia && !this.media.ready && !this.mediaStarting;
    if (host && host.id !== this.selfId && waitingForClick && this.meeting && this.meeting.state === P.meetingStates.ACTIVE) {
      byId("consent-who").textContent = t("room.consent.who", { name: host.display_name, company: host.company_name || "" });
      Mendan.show(byId("consent"), true);
    }
    this.meshWiring.connectPeers();
  };

  Room.prototype.removeParticipant = function (id) {
    this.meshWiring.close(id);
    this.view.removeTile(id);
    this.roster.remove(id);
  };

  // ---- local media ---------------------------------------------------------------------------

  /* Start camera and mic through the media backend; pending: a getUserMedia already asked for. */
  Room.prototype.startMedia = function (pending) {
    var self = this;
    if (this.media.ready || this.mediaStarting) {
      return;
    }
    this.backend = Mendan.RoomMedia.choose();
    if (!this.backend) {
      this.notify(t("room.media_error.unsupported"));
      return;
    }
    this.mediaStarting = true;
    this.backend.start(this, pending, function (media) {
      self.publishMedia(media);
    });
  };

  Room.prototype.publishMedia = function (media) {
    this.media = media;
    this.mediaStarting = false;
    this.syncMedia();
    this.view.renderControls();
    Mendan.show(byId("waiting-media"), this.state !== "connected");
    this.meshWiring.connectPeers();
  };

  /* Tell the server what we send, unless it knows already; again after every (re)join. */
  Room.prototype.syncMedia = function () {
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
    if (!this.backend || !this.media.ready || !this.backend.setTrack(this, kind, on)) {
      return;
    }
    var media = { ready: this.media.ready, camera: this.media.camera, mic: this.media.mic };
    media[kind] = on;
    this.publishMedia(media);
  };

  Room.prototype.setSpeaker = function (on) {
    this.speakerOn = on;
    this.view.muteAll(!on);
    this.view.renderControls();
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
    this.meshWiring.closeAll();
    if (this.backend) {
      this.backend.release(this);
    }
    var key = "room.notice." + reason;
    var text = t(key) === key ? t("room.state.ended") : t(key);
    if (reason === P.endReasons.OTHER_LEFT && this.isHost()) {
      text += " " + t("room.notice.again");
    }
    this.view.showEnded(text);
    if (this.options.onEnded) {
      this.options.onEnded(reason);
    }
    this.emit("ended", reason);
  };

  Mendan.Room = Room;
})(Mendan, MendanProtocol);
