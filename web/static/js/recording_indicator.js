/*
 * The recording indicator on every participant's screen: shown from the meeting snapshot
 * when the rep answered YES (room.js), and switched between 録画中 and 録画停止 when the server says
 * the rep's browser started or stopped recording (recording_updated). ES5 syntax only.
 */
(function (Mendan, P) {
  "use strict";

  Mendan.Room.use(function (room) {
    room.on("message", function (message) {
      if (message.type !== P.types.recording_updated) {
        return;
      }
      var indicator = Mendan.byId("recording-indicator");
      indicator.textContent = "● " + Mendan.t(message.active ? "room.recording" : "room.recording_stopped");
      indicator.className = "recording-indicator" + (message.active ? "" : " stopped");
    });
  });
})(Mendan, MendanProtocol);
