/*
 * The room's bridge backend (R-8.3; see room_media.js for the backend's members): camera and mic
 * started by the native host (which asks in its own window the first time), remote video painted
 * from its JPEG frames (a shared screen's frames go to screen_share.js). Used when the browser has no WebRTC of its own. ES5 syntax only.
 */
(function (Mendan) {
  "use strict";

  var t = Mendan.t;
  var byId = Mendan.byId;

  var bridge = {
    name: "bridge",
    Link: Mendan.BridgePeerLink,
    remoteTag: "img", // remote video arrives as JPEG frames
    speakerFixed: true, // the host plays the sound itself: the PC's volume is the control
    available: function () {
      return !!Mendan.capabilities.bridge && !!Mendan.BridgePeerLink;
    },
    /* The host asks the person in its own window the first time. */
    start: function (room, pending, done) {
      Mendan.bridge.request(
        { type: "start_media", camera: true, mic: true },
        function (error) {
          if (error) {
            room.notify(t(error === "consent_denied" ? "room.media_error.consent_denied" : "room.media_error.bridge"));
            done({ ready: true, camera: false, mic: false }); // still see and hear the others
            return;
          }
          Mendan.show(byId("local-video"), false);
          Mendan.show(byId("local-image"), true);
          room.view.showLocal();
          done({ ready: true, camera: true, mic: true });
        },
        Mendan.bridge.CONSENT_TIMEOUT
      );
    },
    setTrack: function (room, kind, on) {
      var wanted = { camera: room.media.camera, mic: room.media.mic };
      wanted[kind] = on;
      Mendan.bridge.post({ type: "set_media", camera: wanted.camera, mic: wanted.mic });
      return true;
    },
    release: function () {
      Mendan.bridge.post({ type: "shutdown" }); // release camera and mic on the PC
    }
  };

  /* A JPEG frame from the native host: a remote participant's video, or our own preview. */
  function showFrame(room, message) {
    var source = "data:image/jpeg;base64," + message.jpeg;
    if (message.peer_id === "local") {
      byId("local-image").src = source;
      return;
    }
    if (!room.links[message.peer_id] || room.ended) {
      return;
    }
    if (room.frameClaims && room.frameClaims(message)) {
      return; // a shared screen (screen_share.js), never the camera tile
    }
    var entry = room.view.tileFor(message.peer_id);
    entry.video.src = source;
    entry.frames = (entry.frames || 0) + 1;
    if (entry.frames === 1) {
      room.view.firstFrameAt[message.peer_id] = Date.now();
      room.view.setState("connected");
      room.view.renderTile(message.peer_id);
    }
  }

  if (Mendan.RoomMedia) {
    Mendan.RoomMedia.backends.bridge = bridge;
  }
  Mendan.Room.use(function (room) {
    if (Mendan.bridge) {
      Mendan.bridge.on("frame", function (message) {
        showFrame(room, message);
      });
    }
  });
})(Mendan);
