/*
 * Mesh: one link (PeerLink, or BridgePeerLink over the native host) per other participant, kept
 * in step with the link the other side holds. ES5 syntax only.
 *
 * Each peer connection is one generation of a link, with a random id. Every signal carries the
 * sender's generation (`link`) and the generation it is meant for (`to_link`, empty until the
 * other side has answered). A side that builds a new peer connection (after the other left and
 * came back, or because the watchdog found the link dead) opens with a fresh offer: no
 * `to_link`. The other side then replaces its own connection instead of applying that offer to
 * an old one whose transports and DTLS role belong to another conversation — applying it is what
 * failed with "Failed to set SSL role for the transport" and froze streams. Signals meant for a
 * generation that is gone are dropped. Two fresh offers at once: the impolite side keeps its own,
 * the polite one gives way, as in perfect negotiation. docs/negotiation.md tells the whole story.
 *
 * The watchdog looks at what arrives, not at iceConnectionState: a link that receives nothing for
 * STALL_RESTART gets an ICE restart; still nothing REBUILD_AFTER seconds later, a new connection.
 */
(function (Mendan) {
  "use strict";

  var WATCH_EVERY = 1000;
  var CONNECT_GRACE = 15000; // a new link may take this long before it counts as silent
  var STALL_RESTART = 3000; // nothing received for this long: restart ICE on the same connection
  var REBUILD_AFTER = 5000; // nothing received this long after the restart: a new connection

  function newGenerationId() {
    var bytes = new Uint8Array(8);
    window.crypto.getRandomValues(bytes);
    var out = "";
    for (var i = 0; i < bytes.length; i++) {
      out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    }
    return out;
  }

  function isFreshOffer(message) {
    return !!message.description && message.description.type === "offer" && !message.to_link;
  }

  /*
   * options.createLink(remoteId, signaling) makes a link that sends through `signaling`;
   * options.signaling is the meeting's signaling; options.log(text) records what the mesh did.
   */
  function Mesh(options) {
    this.createLink = options.createLink;
    this.signaling = options.signaling;
    this.log = options.log || function () {};
    this.mayRebuild = options.mayRebuild || function () {
      return true;
    };
    this.links = {};
    this.stats = new Mendan.LinkStats(this.links); // one getStats() per link, shared (link_stats.js)
    this.watching = false;
    this.rebuilds = 0;
    this.restarts = 0;
  }

  Mesh.prototype.now = function () {
    return Date.now();
  };

  /* A new generation of the link to remoteId; remoteGeneration is known when answering its offer. */
  Mesh.prototype.open = function (remoteId, remoteGeneration) {
    var self = this;
    var generation = {
      id: newGenerationId(),
      remote: remoteGeneration || null,
      openedAt: this.now(),
      received: -1,
      receivedAt: this.now(),
      restartedAt: 0
    };
    var signaling = {
      send: function (message) {
        message.link = generation.id;
        if (generation.remote) {
          message.to_link = generation.remote;
        }
        self.signaling.send(message);
      }
    };
    var link = this.createLink(remoteId, signaling);
    link.generation = generation;
    this.links[remoteId] = link;
    this.watch();
    return link;
  };

  Mesh.prototype.close = function (remoteId) {
    var link = this.links[remoteId];
    if (link) {
      delete this.links[remoteId];
      link.close();
    }
  };

  Mesh.prototype.closeAll = function () {
    var ids = Object.keys(this.links);
    for (var i = 0; i < ids.length; i++) {
      this.close(ids[i]);
    }
    this.stats.stop();
  };

  /* The initiator's way in (the smaller id): a first link, opened with a fresh offer. */
  Mesh.prototype.connect = function (remoteId) {
    if (!this.links[remoteId]) {
      this.open(remoteId, null).start();
    }
  };

  /* Drop this side's connection and open a new generation with a fresh offer. */
  Mesh.prototype.rebuild = function (remoteId, why) {
    if (!this.mayRebuild(remoteId)) {
      return; // they are away (re-joining) or have no media yet: their return opens a link
    }
    this.rebuilds++;
    this.log("link to " + remoteId + " rebuilt: " + why);
    this.close(remoteId);
    this.open(remoteId, null).start();
  };

  Mesh.prototype.route = function (message) {
    var from = message.sender;
    var sender = message.link || null;
    var link = this.links[from];
    if (!link) {
      if (isFreshOffer(message)) {
        this.open(from, sender).handleSignal(message);
      } else if (sender) {
        // They still talk to a connection we closed: start over rather than wait for a timeout.
        this.rebuild(from, "signal for a connection that is gone");
      }
      return;
    }
    var generation = link.generation;
    if (message.to_link && message.to_link !== generation.id) {
      return; // meant for a connection of ours that is gone; their link follows our fresh offer
    }
    if (sender !== generation.remote) {
      if (isFreshOffer(message)) {
        if (!generation.remote && !link.polite) {
          return; // both sides opened at once: ours stands, the polite side takes it
        }
        this.log("link to " + from + " replaced: they opened a new connection");
        this.close(from);
        link = this.open(from, sender);
      } else if (!generation.remote && message.to_link === generation.id) {
        generation.remote = sender; // the first reply to our fresh offer
      } else {
        return; // from a connection of theirs that this one does not talk to
      }
    }
    link.handleSignal(message);
  };

  // ---- the watchdog --------------------------------------------------------------------------

  Mesh.prototype.watch = function () {
    var self = this;
    if (this.watching) {
      return;
    }
    this.watching = true;
    this.stats.subscribe(WATCH_EVERY, function (remoteId, link, report) {
      if (link.receivedIn && self.links[remoteId] === link) {
        self.check(remoteId, link, link.receivedIn(report)); // the bridge's host watches its own peers
      }
    });
  };

  /* sample: {count: packets and bytes received so far, expected: whether the other side sends}. */
  Mesh.prototype.check = function (remoteId, link, sample) {
    var generation = link.generation;
    var now = this.now();
    if (!sample.expected || sample.count !== generation.received) {
      if (sample.count !== generation.received && generation.restartedAt) {
        this.log("link to " + remoteId + " receives again");
      }
      generation.received = sample.count;
      generation.receivedAt = now;
      generation.restartedAt = 0;
      return;
    }
    var silentSince = Math.max(generation.receivedAt, sample.count > 0 ? 0 : generation.openedAt + CONNECT_GRACE - STALL_RESTART);
    if (!generation.restartedAt && now - silentSince >= STALL_RESTART) {
      this.restarts++;
      generation.restartedAt = now;
      this.log("link to " + remoteId + " receives nothing: ICE restart");
      link.restartIce();
    } else if (generation.restartedAt && now - generation.restartedAt >= REBUILD_AFTER) {
      this.rebuild(remoteId, "still nothing received after the ICE restart");
    }
  };

  Mendan.Mesh = Mesh;
})(Mendan);
