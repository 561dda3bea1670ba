/*
 * The receiver's half of "send no more than the receiver shows": how large this page shows each
 * remote participant's video (the tile's CSS size × devicePixelRatio), told to that participant
 * in a `signal` with `view` whenever it settles on a new size, and again to each new link (a
 * re-joined page has forgotten it). The sender caps that link's resolution and bitrate
 * (sender_policy.js). ES5 syntax only.
 */
(function (Mendan, P) {
  "use strict";

  var SETTLE_MS = 500; // a window being dragged resizes many times: tell only where it stops

  function shownSize(element) {
    var ratio = window.devicePixelRatio || 1;
    return {
      width: Math.min(8192, Math.round(element.clientWidth * ratio)),
      height: Math.min(8192, Math.round(element.clientHeight * ratio))
    };
  }

  Mendan.Room.use(function (room) {
    if (!window.ResizeObserver) {
      return; // the sender keeps sizing by head count alone
    }
    var told = {}; // remote id -> "width x height" last told
    var timers = {};

    function tell(id) {
      timers[id] = null;
      var tile = room.tiles[id];
      if (!tile || room.ended || !room.participants[id]) {
        return;
      }
      var size = shownSize(tile.video);
      var key = size.width + "x" + size.height;
      if (!size.width || !size.height || told[id] === key) {
        return; // hidden (nothing to size by) or nothing new
      }
      told[id] = key;
      room.signaling.send({ type: P.types.signal, to: id, view: size });
    }

    function settle(id) {
      if (timers[id]) {
        window.clearTimeout(timers[id]);
      }
      timers[id] = window.setTimeout(function () {
        tell(id);
      }, SETTLE_MS);
    }

    var observer = new ResizeObserver(function (entries) {
      entries.forEach(function (entry) {
        settle(entry.target.getAttribute("data-participant"));
      });
    });

    room.on("remoteStream", function (id) {
      var tile = room.tiles[id];
      if (tile && !tile.sizeWatched) {
        tile.sizeWatched = true;
        observer.observe(tile.video); // reports its first size at once
      }
    });
    room.on("link", function (id) {
      delete told[id]; // a new connection: perhaps a new page on their side, tell it again
      settle(id);
    });
    room.on("ended", function () {
      observer.disconnect();
    });
  });
})(Mendan, MendanProtocol);
