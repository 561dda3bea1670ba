/*
 * The room's control buttons: what each click does, and which are off in this browser,
 * with the reason shown, as compat/ decides. ES5 syntax only.
 */
(function (Mendan) {
  "use strict";

  var t = Mendan.t;
  var byId = Mendan.byId;

  var NEEDS = {
    "start-media": "video_call",
    "mic-toggle": "video_call",
    "camera-toggle": "video_call",
    "speaker-toggle": "video_call"
  };

  /* Controls for features this browser lacks are disabled, with the reason shown. */
  function applyCompat(room) {
    if (room.ended) {
      return;
    }
    for (var id in NEEDS) {
      if (NEEDS.hasOwnProperty(id)) {
        Mendan.requireFeature(byId(id), NEEDS[id]);
      }
    }
    var reason = Mendan.unavailableReason("video_call");
    byId("consent-unsupported").textContent = reason;
    Mendan.show(byId("consent-unsupported"), !!reason);
    Mendan.show(byId("consent-bridge-link"), Mendan.browserCouldHelp("video_call"));
    var backend = room.backend || Mendan.RoomMedia.choose();
    if (backend && backend.speakerFixed) {
      var speaker = byId("speaker-toggle");
      speaker.disabled = true;
      speaker.setAttribute("title", t("compat.reason.bridge_speaker"));
    }
  }

  function bindControls(room) {
    applyCompat(room);
    Mendan.onCapabilityChange(function () {
      applyCompat(room);
    });
    byId("mic-toggle").onclick = function () {
      room.setMedia("mic", !room.media.mic);
    };
    byId("camera-toggle").onclick = function () {
      room.setMedia("camera", !room.media.camera);
    };
    byId("speaker-toggle").onclick = function () {
      room.setSpeaker(!room.speakerOn);
    };
    byId("video-share-toggle").onclick = function () {
      room.videoShown = !room.videoShown;
      Mendan.show(byId("videos"), room.videoShown);
      byId("video-share-toggle").setAttribute("aria-pressed", String(room.videoShown));
    };
    byId("leave-button").onclick = function () {
      room.leave();
    };
    byId("start-media").onclick = function () {
      Mendan.show(byId("consent"), false);
      room.startMedia();
    };
  }

  Mendan.roomControls = { bind: bindControls, applyCompat: applyCompat };
})(Mendan);
