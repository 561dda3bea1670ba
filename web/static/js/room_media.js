/*
 * The room's media backend: who starts camera and mic, makes the peer links and shows remote
 * video. One object per way of calling, chosen once per room by Mendan.RoomMedia.choose():
 *   browser  this browser's own WebRTC (PeerLink, <video> tiles)
 *   bridge   the Mendan bridge's native host (room_bridge.js: BridgePeerLink, JPEG frames)
 * Each backend has the same members:
 *   name, Link (the mesh's link class), remoteTag ("video" or "img"),
 *   speakerFixed (true when the page cannot mute what it hears),
 *   available()                       whether this browser can call this way now
 *   start(room, pending, done)        start camera and mic; done(media) with what was started
 *   setTrack(room, kind, on)          turn the camera or mic on or off
 *   release(room)                     let go of camera and mic when the meeting ends
 * ES5 syntax only.
 */
(function (Mendan) {
  "use strict";

  var t = Mendan.t;
  var byId = Mendan.byId;

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

  /* Camera and mic, asked for at once (the rep's page starts this while the number is checked). */
  function requestMedia() {
    if (Mendan.deviceCheck) {
      Mendan.deviceCheck.close(); // it holds the camera: hand it to the meeting
    }
    var ask = Mendan.mediaConstraints
      ? Mendan.mediaConstraints({ audio: true, video: true })
      : { audio: true, video: { width: { ideal: 640 }, height: { ideal: 480 } } };
    return navigator.mediaDevices.getUserMedia(ask);
  }

  var browser = {
    name: "browser",
    Link: Mendan.PeerLink,
    remoteTag: "video",
    speakerFixed: false,
    available: function () {
      // The capabilities compat/ detects (capabilities.js), not a check of our own.
      return !!(Mendan.capabilities.peer_connection && Mendan.capabilities.get_user_media);
    },
    start: function (room, pending, done) {
      (pending || requestMedia())
        .then(function (stream) {
          room.localStream = stream;
          room.emit("localStream", stream);
          byId("local-video").srcObject = stream;
          room.view.showLocal();
          done({ ready: true, camera: true, mic: true });
        })
        .catch(function (error) {
          // Go on without camera and mic: the customer still sees and hears the others.
          room.notify(t(mediaErrorKey(error)));
          done({ ready: true, camera: false, mic: false });
        });
    },
    setTrack: function (room, kind, on) {
      if (!room.localStream) {
        return false;
      }
      var tracks = kind === "mic" ? room.localStream.getAudioTracks() : room.localStream.getVideoTracks();
      for (var i = 0; i < tracks.length; i++) {
        tracks[i].enabled = on;
      }
      return true;
    },
    release: function (room) {
      if (room.localStream) {
        room.localStream.getTracks().forEach(function (track) {
          track.stop();
        });
      }
    }
  };

  var RoomMedia = {
    backends: { browser: browser },
    /*
     * Camera and mic asked for before the room exists (rep.js, invite.js: while the server checks
     * the number, it saves most of a second); a promise for startMedia, or null without WebRTC.
     */
    earlyRequest: function () {
      return browser.available() ? requestMedia() : null;
    },
    /* The browser's own WebRTC first; the bridge when that is missing and the bridge answered. */
    choose: function () {
      var order = ["browser", "bridge"];
      for (var i = 0; i < order.length; i++) {
        var backend = RoomMedia.backends[order[i]];
        if (backend && backend.available()) {
          return backend;
        }
      }
      return null;
    }
  };

  Mendan.RoomMedia = RoomMedia;
})(Mendan);
