/*
 * What each link sends, so that a 4-person mesh costs each browser no more than an SFU would and a
 * thin link keeps the voice. In a mesh every browser encodes one video per other person: sending
 * three full 640x480 streams is what made the mesh slower and hungrier than Janus.
 *
 * Audio first: Opus with RED (each packet also carries the previous frame, so a single lost packet
 * costs nothing) is preferred where the browser has it, and the audio sender gets high priority,
 * so when the link is short of bandwidth, video gives way before the voice.
 * Video per link: resolution, frame rate and bitrate from the number of people (the tiles each
 * receiver shows get smaller as people join) and the link's measured outgoing bandwidth
 * (availableOutgoingBitrate). ES5 syntax only.
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

  /* The video a link should send with `people` in the room and `available` bit/s (null: unknown). */
  function videoFor(people, available) {
    var row = BY_PEOPLE[0];
    for (var i = 0; i < BY_PEOPLE.length; i++) {
      row = BY_PEOPLE[i];
      if (people <= row[0]) {
        break;
      }
    }
    var wanted = { maxBitrate: row[1], scaleResolutionDownBy: row[2], maxFramerate: row[3] };
    if (available !== null && available - AUDIO_BITRATE < wanted.maxBitrate / 2) {
      // Far less room than planned: fewer, smaller frames look better than blocky big ones.
      wanted.maxBitrate = Math.max(50000, Math.round(available - AUDIO_BITRATE));
      wanted.scaleResolutionDownBy = Math.min(4, wanted.scaleResolutionDownBy * 2);
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

  function availableOutgoing(pc) {
    return pc.getStats().then(function (stats) {
      var available = null;
      stats.forEach(function (report) {
        if (report.type === "candidate-pair" && report.nominated && typeof report.availableOutgoingBitrate === "number") {
          available = report.availableOutgoingBitrate;
        }
      });
      return available;
    });
  }

  function applyToLink(link, people) {
    var pc = link.pc;
    if (!pc || !pc.getSenders || link.closed || !window.RTCRtpSender || !RTCRtpSender.prototype.setParameters) {
      return;
    }
    availableOutgoing(pc).then(
      function (available) {
        var video = videoFor(people, available);
        pc.getSenders().forEach(function (sender) {
          if (!sender.track) {
            return;
          }
          if (sender.track.kind === "audio") {
            setEncoding(sender, { priority: "high", networkPriority: "high" });
          } else {
            setEncoding(sender, video);
          }
        });
      },
      function () {
        return null; // a connection closed meanwhile
      }
    );
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
    var timer = window.setInterval(function () {
      applyAll(room);
    }, APPLY_EVERY);
    room.on("participants", function () {
      applyAll(room);
    });
    room.on("ended", function () {
      window.clearInterval(timer);
    });
  });
})(Mendan);
