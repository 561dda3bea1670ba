/*
 * PeerLink: one RTCPeerConnection to one other participant, negotiated with the W3C "perfect
 * negotiation" pattern so offers from both sides (ICE restarts, late tracks) never deadlock.
 * ES5 syntax only.
 */
(function (Mendan) {
  "use strict";

  var DISCONNECTED_GRACE = 2000;

  function PeerLink(options) {
    var self = this;
    this.remoteId = options.remoteId;
    this.polite = options.selfId > options.remoteId;
    this.signaling = options.signaling;
    this.localStream = options.localStream;
    this.onTrack = options.onTrack;
    this.onState = options.onState;
    this.tracksAdded = false;
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.answerPending = false;
    this.restartTimer = null;
    this.closed = false;
    this.dtlsRole = null; // "active" or "passive" once the first answer was applied

    var pc = new RTCPeerConnection({ iceServers: options.iceServers || [], iceTransportPolicy: options.icePolicy || "all" });
    this.pc = pc;
    pc.onnegotiationneeded = function () {
      self.makingOffer = true;
      pc.setLocalDescription()
        .then(function () {
          self.sendDescription();
        })
        .catch(function (error) {
          self.report("offer failed", error);
        })
        .then(function () {
          self.makingOffer = false;
        });
    };
    pc.onicecandidate = function (event) {
      if (event.candidate && event.candidate.candidate) {
        self.signaling.send({
          type: "signal",
          to: self.remoteId,
          candidate: {
            candidate: event.candidate.candidate,
            sdp_mid: event.candidate.sdpMid,
            sdp_mline_index: event.candidate.sdpMLineIndex
          }
        });
      }
    };
    pc.ontrack = function (event) {
      var stream = event.streams && event.streams[0] ? event.streams[0] : new MediaStream([event.track]);
      self.onTrack(stream);
    };
    pc.onconnectionstatechange = function () {
      self.watchConnection();
    };
  }

  PeerLink.prototype.report = function (what, error) {
    if (window.console) {
      window.console.warn("peer " + this.remoteId + ": " + what, error);
    }
  };

  PeerLink.prototype.sendDescription = function () {
    var description = this.pc.localDescription;
    this.signaling.send({
      type: "signal",
      to: this.remoteId,
      description: { type: description.type, sdp: description.sdp }
    });
  };

  /* Offer our camera and mic (or ask to receive only, when we have none). */
  PeerLink.prototype.addLocalMedia = function () {
    if (this.tracksAdded) {
      return;
    }
    this.tracksAdded = true;
    var kinds = { audio: false, video: false };
    var tracks = this.localStream ? this.localStream.getTracks() : [];
    for (var i = 0; i < tracks.length; i++) {
      this.pc.addTrack(tracks[i], this.localStream);
      kinds[tracks[i].kind] = true;
    }
    if (Mendan.SenderPolicy) {
      Mendan.SenderPolicy.prepare(this); // audio first, video sized to the room (sender_policy.js)
    }
    if (this.pc.signalingState === "stable" && !this.pc.remoteDescription) {
      for (var kind in kinds) {
        if (kinds.hasOwnProperty(kind) && !kinds[kind]) {
          this.pc.addTransceiver(kind, { direction: "recvonly" });
        }
      }
    }
  };

  /* The participant with the smaller id starts; the other answers when the offer comes. */
  PeerLink.prototype.start = function () {
    this.addLocalMedia();
  };

  PeerLink.prototype.handleSignal = function (message) {
    var self = this;
    var pc = this.pc;
    if (message.description) {
      var description = message.description;
      var readyForOffer = !this.makingOffer && (pc.signalingState === "stable" || this.answerPending);
      var collision = description.type === "offer" && !readyForOffer;
      this.ignoreOffer = !this.polite && collision;
      if (this.ignoreOffer) {
        return;
      }
      this.answerPending = description.type === "answer";
      var sdp = description.type === "answer" ? this.keepRemoteRole(description.sdp) : description.sdp;
      pc.setRemoteDescription({ type: description.type, sdp: sdp })
        .then(function () {
          self.answerPending = false;
          if (description.type !== "offer") {
            self.learnRole(sdp, false);
            return null;
          }
          self.addLocalMedia();
          return self.answer();
        })
        .catch(function (error) {
          self.report("description failed", error);
        });
    } else if (message.candidate) {
      pc.addIceCandidate({
        candidate: message.candidate.candidate,
        sdpMid: message.candidate.sdp_mid,
        sdpMLineIndex: message.candidate.sdp_mline_index
      }).catch(function (error) {
        if (!self.ignoreOffer) {
          self.report("candidate failed", error);
        }
      });
    }
  };

  // ---- the DTLS role ---------------------------------------------------------------------------
  // The first exchange decides who is DTLS client ("active") and who is server; every later answer
  // on this connection (ICE restart, new tracks) must keep it, or the browser refuses it with
  // "Failed to set SSL role for the transport". Engines differ in what they answer after a restart,
  // so the role is pinned in our own answers and checked in theirs.

  function setupOf(sdp) {
    var match = /a=setup:(active|passive|actpass)/.exec(sdp);
    return match ? match[1] : null;
  }

  function withSetup(sdp, role) {
    return sdp.replace(/a=setup:(active|passive|actpass)/g, "a=setup:" + role);
  }

  /* Our role after an answer was applied: ours if we answered, the opposite of theirs if we offered. */
  PeerLink.prototype.learnRole = function (answerSdp, ours) {
    var setup = setupOf(answerSdp);
    if (!this.dtlsRole && (setup === "active" || setup === "passive")) {
      this.dtlsRole = ours ? setup : setup === "active" ? "passive" : "active";
    }
  };

  PeerLink.prototype.keepRemoteRole = function (sdp) {
    if (!this.dtlsRole) {
      return sdp;
    }
    var theirs = this.dtlsRole === "active" ? "passive" : "active";
    if (setupOf(sdp) !== theirs) {
      this.report("answer would change the DTLS role; kept " + this.dtlsRole, setupOf(sdp));
      return withSetup(sdp, theirs);
    }
    return sdp;
  };

  PeerLink.prototype.answer = function () {
    var self = this;
    var pc = this.pc;
    var made = this.dtlsRole
      ? pc.createAnswer().then(function (answer) {
          return pc.setLocalDescription({ type: "answer", sdp: withSetup(answer.sdp, self.dtlsRole) });
        })
      : pc.setLocalDescription();
    return made.then(function () {
      self.learnRole(pc.localDescription.sdp, true);
      self.sendDescription();
    });
  };

  // ---- health ----------------------------------------------------------------------------------

  /*
   * For the mesh's watchdog, from this link's getStats() report (link_stats.js): a count that grows
   * while the link works, and whether it should grow.
   * What counts is media received — RTP packets — where the other side sends; a link that only
   * sends (the other has no camera or mic) counts bytes on its candidate pairs (their RTCP reports).
   * STUN checks alone never count, so a link that is only re-checking ICE is not taken as alive.
   */
  PeerLink.prototype.receivedIn = function (stats) {
    var negotiating = false;
    var receiving = false;
    var sending = false;
    var transceivers = this.pc.getTransceivers();
    for (var i = 0; i < transceivers.length; i++) {
      var direction = transceivers[i].currentDirection;
      negotiating = negotiating || !direction;
      receiving = receiving || direction === "sendrecv" || direction === "recvonly";
      sending = sending || direction === "sendrecv" || direction === "sendonly";
    }
    var count = 0;
    stats.forEach(function (report) {
      if (report.type === "inbound-rtp" && (receiving || negotiating)) {
        count += report.packetsReceived || 0;
      } else if (report.type === "candidate-pair" && !receiving && !negotiating) {
        count += report.bytesReceived || 0;
      }
    });
    return { count: count, expected: negotiating || receiving || sending };
  };

  /* After a network drop the path may be dead: restart ICE instead of waiting for a new number. */
  PeerLink.prototype.watchConnection = function () {
    var self = this;
    var state = this.pc.connectionState;
    this.onState(state);
    if (state === "failed") {
      this.restartIce();
    } else if (state === "disconnected" && !this.restartTimer) {
      this.restartTimer = window.setTimeout(function () {
        self.restartTimer = null;
        if (!self.closed && self.pc.connectionState === "disconnected") {
          self.restartIce();
        }
      }, DISCONNECTED_GRACE);
    }
  };

  PeerLink.prototype.restartIce = function () {
    if (this.closed) {
      return;
    }
    if (this.pc.restartIce) {
      this.pc.restartIce();
    } else {
      var self = this;
      this.pc.createOffer({ iceRestart: true })
        .then(function (offer) {
          return self.pc.setLocalDescription(offer);
        })
        .then(function () {
          self.sendDescription();
        })
        .catch(function (error) {
          self.report("ICE restart failed", error);
        });
    }
  };

  PeerLink.prototype.close = function () {
    this.closed = true;
    if (this.restartTimer) {
      window.clearTimeout(this.restartTimer);
    }
    this.pc.close();
  };

  Mendan.PeerLink = PeerLink;
})(Mendan);
