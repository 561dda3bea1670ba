/*
 * The recording indicator on every participant's screen: shown from the meeting snapshot
 * when the rep answered YES (room.js), 録画中 or 録画停止 as the join snapshot says, then switched
 * when the server says the rep's browser started or stopped recording (recording_updated).
 * ES5 syntax only.
 */
(function (Mendan, P) {
  "use strict";

  function paint(active) {
    var indicator = Mendan.byId("recording-indicator");
    indicator.textContent = "● " + Mendan.t(active ? "room.recording" : "room.recording_stopped");
    indicator.className = "recording-indicator" + (active ? "" : " stopped");
  }

  Mendan.Room.use(function (room) {
    // Someone joining (or re-joining) after the recording stopped sees 録画停止, not 録画中; before
    // the rep's browser has started (null), 録画中 is the safe thing to show.
    room.on("joined", function (reply) {
      paint(reply.recording_active !== false);
    });
    room.on("message", function (message) {
      if (message.type === P.types.recording_updated) {
        paint(message.active);
      }
    });
  });
})(Mendan, MendanProtocol);
