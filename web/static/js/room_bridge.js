/*
 * The room over the Mendan bridge: camera and mic started by the native host (which asks
 * in its own window the first time), and remote video painted from its JPEG frames. Loaded after
 * room.js; used when the browser has no WebRTC of its own (Room.usesBridge). ES5 syntax only.
 */
(function (Mendan) {
  "use strict";

  var t = Mendan.t;
  var byId = Mendan.byId;
  var Room = Mendan.Room;

  /* Camera and mic through the native host; it asks the person in its own window the first time. */
  Room.prototype.startBridgeMedia = function () {
    var self = this;
    this.mediaStarting = true;
    Mendan.bridge.request(
      { type: "start_media", camera: true, mic: true },
      function (error) {
        if (error) {
          self.notify(t(error === "consent_denied" ? "room.media_error.consent_denied" : "room.media_error.bridge"));
          self.publishMedia({ ready: true, camera: false, mic: false }); // still see and hear the others
          return;
        }
        Mendan.show(byId("local-video"), false);
        Mendan.show(byId("local-image"), true);
        Mendan.show(byId("local-tile"), true);
        byId("local-name").textContent = t("room.self_label");
        self.publishMedia({ ready: true, camera: true, mic: true });
      },
      Mendan.bridge.CONSENT_TIMEOUT
    );
  };

  /* A JPEG frame from the native host: a remote participant's video, or our own preview. */
  Room.prototype.showBridgeFrame = function (message) {
    var source = "data:image/jpeg;base64," + message.jpeg;
    if (message.peer_id === "local") {
      byId("local-image").src = source;
      return;
    }
    if (!this.links[message.peer_id] || this.ended) {
      return;
    }
    var entry = this.tileFor(message.peer_id);
    entry.video.src = source;
    entry.frames = (entry.frames || 0) + 1;
    if (entry.frames === 1) {
      this.firstFrameAt[message.peer_id] = Date.now();
      this.setState("connected");
      this.renderTile(message.peer_id);
    }
  };

  Room.use(function (room) {
    if (Mendan.bridge) {
      Mendan.bridge.on("frame", function (message) {
        room.showBridgeFrame(message);
      });
    }
  });
})(Mendan);
