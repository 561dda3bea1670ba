/*
 * What a recording is made of: every video drawn as a grid on a canvas (Compositor, with layers
 * such as the shown document on top) and every voice mixed with WebAudio (Mixer). ES5 syntax only.
 */
(function (Mendan) {
  "use strict";

  var t = Mendan.t;
  var byId = Mendan.byId;

  var WIDTH = 640;
  var HEIGHT = 360;
  var FPS = 15;

  /* layers: functions (ctx, width, height) drawn on top of the videos in every frame. */
  function Compositor(room, layers) {
    this.room = room;
    this.layers = layers;
    this.canvas = document.createElement("canvas");
    this.canvas.width = WIDTH;
    this.canvas.height = HEIGHT;
    this.ctx = this.canvas.getContext("2d");
    this.timer = null;
  }

  Compositor.prototype.videos = function () {
    var list = [];
    var local = byId("local-video");
    if (local && local.srcObject) {
      list.push({ video: local, name: t("room.self_label") });
    }
    var ids = Object.keys(this.room.tiles);
    for (var i = 0; i < ids.length; i++) {
      var person = this.room.participants[ids[i]];
      list.push({ video: this.room.tiles[ids[i]].video, name: person ? person.display_name : "" });
    }
    return list;
  };

  Compositor.prototype.draw = function () {
    var ctx = this.ctx;
    var videos = this.videos();
    ctx.fillStyle = "#18212b";
    ctx.fillRect(0, 0, WIDTH, HEIGHT);
    var columns = videos.length > 1 ? 2 : 1;
    var rows = videos.length > 2 ? 2 : 1;
    var cellW = WIDTH / columns;
    var cellH = HEIGHT / rows;
    for (var i = 0; i < videos.length; i++) {
      var x = (i % columns) * cellW;
      var y = Math.floor(i / columns) * cellH;
      var video = videos[i].video;
      if (video.videoWidth && video.readyState >= 2) {
        var scale = Math.min(cellW / video.videoWidth, cellH / video.videoHeight);
        var w = video.videoWidth * scale;
        var h = video.videoHeight * scale;
        ctx.drawImage(video, x + (cellW - w) / 2, y + (cellH - h) / 2, w, h);
      }
      ctx.fillStyle = "rgba(0,0,0,0.55)";
      ctx.fillRect(x + 6, y + cellH - 26, Math.min(cellW - 12, 12 + ctx.measureText(videos[i].name).width), 20);
      ctx.fillStyle = "#ffffff";
      ctx.font = "13px sans-serif";
      ctx.fillText(videos[i].name, x + 12, y + cellH - 11);
    }
    for (var j = 0; j < this.layers.length; j++) {
      this.layers[j](ctx, WIDTH, HEIGHT);
    }
  };

  Compositor.prototype.start = function () {
    var self = this;
    this.draw();
    // A timer, not requestAnimationFrame: the recording must go on while the tab is in the background.
    this.timer = window.setInterval(function () {
      self.draw();
    }, Math.round(1000 / FPS));
    return this.canvas.captureStream(FPS).getVideoTracks()[0];
  };

  Compositor.prototype.stop = function () {
    window.clearInterval(this.timer);
  };

  // ---- the mixed sound -------------------------------------------------------------------------

  function Mixer() {
    var Context = window.AudioContext || window.webkitAudioContext;
    this.context = new Context();
    this.destination = this.context.createMediaStreamDestination();
    this.sources = {};
  }

  Mixer.prototype.add = function (id, stream) {
    if (this.sources[id] && this.sources[id].stream === stream) {
      return;
    }
    this.remove(id);
    if (!stream || !stream.getAudioTracks().length) {
      return;
    }
    var node = this.context.createMediaStreamSource(stream);
    node.connect(this.destination);
    this.sources[id] = { stream: stream, node: node };
  };

  Mixer.prototype.remove = function (id) {
    if (this.sources[id]) {
      this.sources[id].node.disconnect();
      delete this.sources[id];
    }
  };

  Mixer.prototype.close = function () {
    var ids = Object.keys(this.sources);
    for (var i = 0; i < ids.length; i++) {
      this.remove(ids[i]);
    }
    this.context.close();
  };

  Mendan.RecordingCompositor = Compositor;
  Mendan.RecordingMixer = Mixer;
})(Mendan);
