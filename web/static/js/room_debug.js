/*
 * Mendan.debug: the small, documented surface (docs/pages.md) that the e2e tests and the benches
 * read and drive, so the room's insides can change without breaking them. Everything here is
 * read-only but rebuildLink and dropSignaling, which stand in for a network fault.
 * Mendan.debug.room is the room itself, for a person at the console; tests do not read it.
 * ES5 syntax only.
 */
(function (Mendan) {
  "use strict";

  var debug = Mendan.debug;
  var current = null;

  function eachLink(make) {
    var out = {};
    var links = current ? current.links : {};
    var ids = Object.keys(links);
    for (var i = 0; i < ids.length; i++) {
      out[ids[i]] = make(links[ids[i]], ids[i]);
    }
    return out;
  }

  /* room.js calls this for the room the page mounted. */
  debug.attach = function (room) {
    current = room;
    debug.room = room;
  };

  /* This page's participant id, or null before it joined. */
  debug.selfId = function () {
    return current ? current.selfId : null;
  };

  /* Which media backend calls: "browser", "bridge", or null before media started. */
  debug.backend = function () {
    return current && current.backend ? current.backend.name : null;
  };

  /* The name the roster shows for participant id, or null. */
  debug.displayName = function (id) {
    var person = current ? current.participants[id] : null;
    return person ? person.display_name : null;
  };

  /* Remote participant id -> the RTCPeerConnection of the current link (browser backend only). */
  debug.peerConnections = function () {
    var out = {};
    var all = eachLink(function (link) {
      return link.pc || null;
    });
    for (var id in all) {
      if (all.hasOwnProperty(id) && all[id]) {
        out[id] = all[id];
      }
    }
    return out;
  };

  /* Remote participant id -> {id, remote}: this side's generation of the link and the other's. */
  debug.generations = function () {
    return eachLink(function (link) {
      return { id: link.generation.id, remote: link.generation.remote };
    });
  };

  /* Throw away the link to remoteId and open a new one, as the watchdog does for a dead link. */
  debug.rebuildLink = function (remoteId, why) {
    current.mesh.rebuild(remoteId, why || "debug");
  };

  /* ICE restarts plus rebuilds the mesh's watchdog has made so far. */
  debug.meshActions = function () {
    return current ? current.mesh.restarts + current.mesh.rebuilds : 0;
  };

  /* Ticks of the shared getStats() poller so far (link_stats.js): one report per link each. */
  debug.statsTicks = function () {
    return current ? current.mesh.stats.ticks : 0;
  };

  /* enabled of each local track of kind ("audio" or "video"); null without a local stream. */
  debug.localTracks = function (kind) {
    if (!current || !current.localStream) {
      return null;
    }
    return current.localStream
      .getTracks()
      .filter(function (track) {
        return track.kind === kind;
      })
      .map(function (track) {
        return track.enabled;
      });
  };

  /* Remote participant id -> {tag, frames, src}: the element showing them, and for the bridge
     the JPEG frames painted so far and the end of the latest one. */
  debug.remoteTiles = function () {
    var out = {};
    var tiles = current ? current.view.tiles : {};
    var ids = Object.keys(tiles);
    for (var i = 0; i < ids.length; i++) {
      var video = tiles[ids[i]].video;
      out[ids[i]] = { tag: video.tagName, frames: tiles[ids[i]].frames || 0, src: (video.src || "").slice(-64) };
    }
    return out;
  };

  /* Remote participant id -> Date.now() when its first frame was painted. */
  debug.firstFrames = function () {
    var out = {};
    var times = current ? current.view.firstFrameAt : {};
    for (var id in times) {
      if (times.hasOwnProperty(id)) {
        out[id] = times[id];
      }
    }
    return out;
  };

  /* Cut the signaling connection as a network drop would; it reconnects and re-joins by itself. */
  debug.dropSignaling = function () {
    current.signaling.simulateDrop();
  };

  /* How signaling reaches the server now: "websocket" or "http". */
  debug.transport = function () {
    return current ? current.signaling.transport : null;
  };
})(Mendan);
