/*
 * What the room shows: its state, the notice line, the roster, one tile per remote participant
 * and the control buttons' look. Reads the room's roster and media; changes nothing else.
 * ES5 syntax only.
 */
(function (Mendan, P) {
  "use strict";

  var t = Mendan.t;
  var byId = Mendan.byId;

  function RoomView(room) {
    this.room = room;
    this.tiles = {}; // remote participant id -> {tile, video, name, badge, frames}
    this.firstFrameAt = {}; // remote participant id -> ms of the first painted frame (bench/connect.py)
  }

  RoomView.prototype.setState = function (state) {
    var room = this.room;
    if (room.state === "ended") {
      return;
    }
    room.state = state;
    room.root.setAttribute("data-state", state);
    byId("room-state").textContent = t("room.state." + state);
    if (state !== "waiting") {
      Mendan.show(byId("waiting-media"), false);
    }
  };

  RoomView.prototype.notify = function (text) {
    byId("notice").textContent = text;
  };

  RoomView.prototype.showLocal = function () {
    Mendan.show(byId("local-tile"), true);
    byId("local-name").textContent = t("room.self_label");
  };

  RoomView.prototype.renderMeeting = function () {
    var room = this.room;
    var meeting = room.meeting;
    if (!meeting) {
      return;
    }
    if (meeting.state === P.meetingStates.ACTIVE && !this.startedShown) {
      this.startedShown = true;
      room.show();
      if (room.options.onStarted) {
        room.options.onStarted(meeting);
      }
    }
    byId("room-number").textContent = t("room.number", { number: meeting.number });
    Mendan.show(byId("recording-indicator"), !!meeting.recording && meeting.state === P.meetingStates.ACTIVE);
  };

  RoomView.prototype.renderRoster = function () {
    var room = this.room;
    var list = byId("roster");
    list.innerHTML = "";
    var ids = Object.keys(room.participants);
    for (var i = 0; i < ids.length; i++) {
      var person = room.participants[ids[i]];
      var item = Mendan.el("li", "roster-entry " + person.state);
      item.setAttribute("data-testid", "roster-entry");
      item.appendChild(Mendan.el("span", "roster-name", person.display_name + (person.id === room.selfId ? " " + t("room.you") : "")));
      item.appendChild(Mendan.el("span", "roster-role", t("room.role." + person.role) + (person.company_name ? " ・ " + person.company_name : "")));
      if (person.state === P.participantStates.RECONNECTING) {
        item.appendChild(Mendan.el("span", "roster-badge", t("room.reconnecting")));
      }
      list.appendChild(item);
      if (this.tiles[person.id]) {
        this.renderTile(person.id);
      }
    }
  };

  RoomView.prototype.tileFor = function (remoteId) {
    var self = this;
    if (this.tiles[remoteId]) {
      return this.tiles[remoteId];
    }
    var tile = Mendan.el("div", "tile remote");
    var video = document.createElement(this.room.backend ? this.room.backend.remoteTag : "video");
    video.setAttribute("data-testid", "remote-video");
    video.setAttribute("data-participant", remoteId);
    video.setAttribute("alt", "");
    video.autoplay = true;
    video.playsInline = true;
    video.muted = !this.room.speakerOn;
    if (Mendan.applySpeaker) {
      Mendan.applySpeaker(video); // the speaker chosen in the device check
    }
    var name = Mendan.el("span", "tile-name");
    var badge = Mendan.el("span", "tile-badge");
    tile.appendChild(video);
    tile.appendChild(name);
    tile.appendChild(badge);
    byId("videos").insertBefore(tile, byId("local-tile"));
    video.addEventListener("playing", function () {
      self.setState("connected");
    });
    this.tiles[remoteId] = { tile: tile, video: video, name: name, badge: badge };
    if (video.requestVideoFrameCallback) {
      video.requestVideoFrameCallback(function () {
        self.firstFrameAt[remoteId] = Date.now();
      });
    }
    return this.tiles[remoteId];
  };

  /* Returns whether the stream is new to that tile. */
  RoomView.prototype.attachStream = function (remoteId, stream) {
    var entry = this.tileFor(remoteId);
    var changed = entry.video.srcObject !== stream;
    if (changed) {
      entry.video.srcObject = stream;
    }
    this.renderTile(remoteId);
    return changed;
  };

  RoomView.prototype.renderTile = function (remoteId) {
    var entry = this.tiles[remoteId];
    var person = this.room.participants[remoteId];
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

  RoomView.prototype.removeTile = function (remoteId) {
    if (this.tiles[remoteId]) {
      this.tiles[remoteId].tile.parentNode.removeChild(this.tiles[remoteId].tile);
      delete this.tiles[remoteId];
    }
  };

  RoomView.prototype.muteAll = function (muted) {
    var ids = Object.keys(this.tiles);
    for (var i = 0; i < ids.length; i++) {
      this.tiles[ids[i]].video.muted = muted;
    }
  };

  RoomView.prototype.renderControls = function () {
    function paint(id, on, onKey, offKey) {
      var button = byId(id);
      button.setAttribute("aria-pressed", String(on));
      button.className = "control" + (on ? "" : " off");
      button.querySelector(".label").textContent = t(on ? onKey : offKey);
    }
    var room = this.room;
    paint("mic-toggle", room.media.mic, "room.mic_on", "room.mic_off");
    paint("camera-toggle", room.media.camera, "room.camera_on", "room.camera_off_button");
    paint("speaker-toggle", room.speakerOn, "room.speaker_on", "room.speaker_off");
  };

  /* The room as it looks once it ended: nothing left to press but 「もう一度」. */
  RoomView.prototype.showEnded = function (text) {
    Mendan.show(byId("consent"), false);
    Mendan.show(byId("waiting-media"), false);
    Mendan.show(byId("local-tile"), false);
    Mendan.show(byId("recording-indicator"), false);
    this.setState("ended");
    this.notify(text);
    Mendan.show(byId("ended-actions"), true);
    var controls = this.room.root.querySelectorAll(".control");
    for (var j = 0; j < controls.length; j++) {
      controls[j].disabled = true;
    }
  };

  Mendan.RoomView = RoomView;
})(Mendan, MendanProtocol);
