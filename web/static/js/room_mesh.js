/*
 * The room's side of the mesh (mesh.js): when to open a link to whom, which signals reach it,
 * and what a link's tracks and states do to the view. Links come from the room's media backend.
 * ES5 syntax only.
 */
(function (Mendan, P) {
  "use strict";

  function RoomMesh(room) {
    this.room = room;
    this.mesh = new Mendan.Mesh({
      signaling: room.signaling,
      mayRebuild: function (remoteId) {
        var other = room.participants[remoteId];
        return !room.ended && !!other && other.media.ready && other.state !== P.participantStates.RECONNECTING;
      },
      log: function (text) {
        if (window.console) {
          window.console.info("mesh: " + text);
        }
      },
      createLink: function (remoteId, signaling) {
        var link = new room.backend.Link({
          selfId: room.selfId,
          remoteId: remoteId,
          signaling: signaling,
          localStream: room.localStream,
          iceServers: room.iceServers,
          icePolicy: room.icePolicy,
          onTrack: function (stream) {
            if (room.streamClaims && room.streamClaims(remoteId, stream)) {
              return; // not a camera: a feature shows it (screen_share.js)
            }
            if (room.view.attachStream(remoteId, stream)) {
              room.emit("remoteStream", remoteId, stream);
            }
          },
          onState: function (state) {
            room.view.renderTile(remoteId);
            if (state === "connected") {
              room.view.setState("connected");
            }
          }
        });
        room.emit("link", remoteId, link); // features that send more than the camera (screen_share.js)
        return link;
      }
    });
    this.links = this.mesh.links; // remote participant id -> its current link
  }

  /* Both sides must have started media; the one with the smaller id then makes the offer. */
  RoomMesh.prototype.connectPeers = function () {
    var room = this.room;
    if (!room.media.ready || room.ended || !room.selfId) {
      return;
    }
    var ids = Object.keys(room.participants);
    for (var i = 0; i < ids.length; i++) {
      var other = room.participants[ids[i]];
      if (other.id === room.selfId || !other.media.ready || this.links[other.id]) {
        continue;
      }
      if (room.selfId < other.id) {
        this.mesh.connect(other.id);
      }
    }
  };

  RoomMesh.prototype.onSignal = function (message) {
    var room = this.room;
    if (!room.participants[message.sender] || room.ended) {
      return; // nothing from someone we were not told about
    }
    if (message.view) {
      room.emit("view", message.sender, message.view); // how large they show us (view_size.js)
      return;
    }
    if (!this.links[message.sender] && !room.media.ready) {
      return; // our media has not started; the offer is repeated once it has
    }
    this.mesh.route(message);
  };

  RoomMesh.prototype.close = function (remoteId) {
    this.mesh.close(remoteId);
  };

  RoomMesh.prototype.closeAll = function () {
    this.mesh.closeAll();
  };

  Mendan.RoomMesh = RoomMesh;
})(Mendan, MendanProtocol);
