/*
 * What each link sends, so that a 4-person mesh costs each browser no more than an SFU would and a
 * thin link keeps the voice. In a mesh every browser encodes one video per other person: sending
 * three full 640x480 streams is what made the mesh slower and hungrier than Janus.
 *
 * Audio first: Opus with RED (each packet also carries the previous frame, so a single lost packet
 * costs nothing) is preferred where the browser has it, and the audio sender gets high priority,
 * so when the link is short of bandwidth, video gives way before the voice.
 * Video per link: resolution, frame rate and bitrate from the number of people (the tiles each
 * receiver shows get smaller as people join), the size the receiver really shows our video at
 * (view_size.js tells us) and the link's measured outgoing bandwidth (availableOutgoingBitrate).
 * ES5 syntax only.
 */
(function (Mendan) {
  "use strict";

  var APPLY_EVERY = 3000;
  var AUDIO_BITRATE = 64000; // what Opus with RED needs at most; the rest of the link is video's

  // [people in the room at most, video bitrate cap, resolution divided by, frames per second]
  // Faces in a meeting need no 30 fps; each frame less is an encode less per link.
  var BY_PEOPLE = [
    [2, 1000000, 1, 24],
    [3, 600000, 1.5, 20],
    [Infinity, 350000, 2, 15]
  ];

  // Resolution steps for the receiver's tile: the largest step at or below camera ÷ tile, so what
  // is sent still fills the tile, and a tile resized by a few pixels changes nothing.
  var FIT_STEPS = [1, 1.5, 2, 3, 4, 6, 8];

  function fitStep(ratio) {
    var step = 1;
    for (var i = 0; i < FIT_STEPS.length && FIT_STEPS[i] <= ratio; i++) {
      step = FIT_STEPS[i];
    }
    return step;
  }

  /*
   * The video a link should send with `people` in the room, `available` bit/s (null: unknown) and
   * `fit`: how many times larger the camera is than the receiver's tile (null: not told).
   */
  function videoFor(people, available, fit) {
    var row = BY_PEOPLE[0];
    for (var i = 0; i < BY_PEOPLE.length; i++) {
      row = BY_PEOPLE[i];
      if (people <= row[0]) {
        break;
      }
    }
    var wanted = { maxBitrate: row[1], scaleResolutionDownBy: row[2], maxFramerate: row[3] };
    var step = fit ? fitStep(fit) : 1;
    if (step > wanted.scaleResolutionDownBy) {
      // A small tile: fewer pixels to encode, and the bitrate shrinks with the pixel count.
      var pixels = Math.pow(wanted.scaleResolutionDownBy / step, 2);
      wanted.maxBitrate = Math.max(100000, Math.round(wanted.maxBitrate * pixels));
      wanted.scaleResolutionDownBy = step;
    }
    if (available !== null && available - AUDIO_BITRATE < wanted.maxBitrate / 2) {
      // Far less room than planned: fewer, smaller frames look better than blocky big ones.
      wanted.maxBitrate = Math.max(50000, Math.round(available - AUDIO_BITRATE));
      wanted.scaleResolutionDownBy = Math.max(wanted.scaleResolutionDownBy, Math.min(4, wanted.scaleResolutionDownBy * 2));
      wanted.maxFramerate = 15;
    }
    return wanted;
  }

  /* Before the first offer or answer: Opus with RED first, where the browser has it. */
  function preferRedundantAudio(pc) {
    if (!window.RTCRtpSender || !RTCRtpSender.getCapabilities || !pc.getTransceivers) {
      return;
    }
    var capabilities = RTCRtpSender.getCapabilities("audio");
    var codecs = capabilities ? capabilities.codecs : [];
    var red = codecs.filter(function (codec) {
      return codec.mimeType.toLowerCase() === "audio/red";
    });
    if (!red.length) {
      return;
    }
    var ordered = red.concat(
      codecs.filter(function (codec) {
        return codec.mimeType.toLowerCase() !== "audio/red";
      })
    );
    pc.getTransceivers().forEach(function (transceiver) {
      var track = transceiver.sender && transceiver.sender.track;
      if (track && track.kind === "audio" && transceiver.setCodecPreferences) {
        try {
          transceiver.setCodecPreferences(ordered);
        } catch (error) {
          window.console.warn("RED for audio not set", error); // the call goes on with plain Opus
        }
      }
    });
  }

  function differs(encoding, wanted) {
    for (var key in wanted) {
      if (wanted.hasOwnProperty(key) && encoding[key] !== wanted[key]) {
        return true;
      }
    }
    return false;
  }

  function setEncoding(sender, wanted) {
    var parameters = sender.getParameters();
    if (!parameters.encodings || !parameters.encodings.length || !differs(parameters.encodings[0], wanted)) {
      return;
    }
    for (var key in wanted) {
      if (wanted.hasOwnProperty(key)) {
        parameters.encodings[0][key] = wanted[key];
      }
    }
    sender.setParameters(parameters).catch(function (error) {
      window.console.warn("sender parameters not applied", error);
    });
  }

  /* The link's measured outgoing bandwidth in bit/s, from its last getStats() report (or null). */
  function availableOutgoing(stats) {
    var available = null;
    stats.forEach(function (report) {
      if (report.type === "candidate-pair" && report.nominated && typeof report.availableOutgoingBitrate === "number") {
        available = report.availableOutgoingBitrate;
      }
    });
    return available;
  }

  var views = {}; // remote id -> {width, height}: how large they show our video (view_size.js)

  /* Camera size ÷ the receiver's tile, in the tighter dimension (the tile's video fills it). */
  function fitOf(link, track) {
    var view = views[link.remoteId];
    var camera = link.localStream ? link.localStream.getVideoTracks() : [];
    var source = track.getSettings ? track.getSettings() : {};
    if (!view || camera.indexOf(track) < 0 || !source.width || !source.height) {
      return null; // not told, or not the camera (a shared screen is not shown in the tile)
      return null;
    }
    return Math.min(source.width / view.width, source.height / view.height);
  }

  function applyToLink(link, people) {
    var pc = link.pc;
    if (!pc || !pc.getSenders || link.closed || !window.RTCRtpSender || !RTCRtpSender.prototype.setParameters) {
      return;
    }
    var available = link.availableOutgoing === undefined ? null : link.availableOutgoing;
    pc.getSenders().forEach(function (sender) {
      if (!sender.track) {
        return;
      }
      if (sender.track.kind === "audio") {
        setEncoding(sender, { priority: "high", networkPriority: "high" });
      } else {
        setEncoding(sender, videoFor(people, available, fitOf(link, sender.track)));
      }
    });
  }

  var peopleNow = 2; // the room's head count, for links set up between two roster changes

  function applyAll(room) {
    peopleNow = Object.keys(room.participants).length;
    Object.keys(room.links).forEach(function (id) {
      applyToLink(room.links[id], peopleNow);
    });
  }

  /* A link's tracks were just added: before its first offer or answer goes out. */
  function prepare(link) {
    preferRedundantAudio(link.pc);
    applyToLink(link, peopleNow);
  }

  Mendan.SenderPolicy = { videoFor: videoFor, prepare: prepare };

  Mendan.Room.use(function (room) {
    room.mesh.stats.subscribe(
      APPLY_EVERY,
      function (id, link, stats) {
        link.availableOutgoing = availableOutgoing(stats);
        applyToLink(link, peopleNow);
      },
      function () {
        peopleNow = Object.keys(room.participants).length;
      }
    );
    room.on("participants", function () {
      Object.keys(views).forEach(function (id) {
        if (!room.participants[id]) {
          delete views[id];
        }
      });
      applyAll(room); // at once, with each link's last measured bandwidth
    });
    room.on("view", function (id, size) {
      views[id] = { width: size.width, height: size.height };
      if (room.links[id]) {
        applyToLink(room.links[id], peopleNow);
      }
    });
  });
})(Mendan);
