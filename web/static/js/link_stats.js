/*
 * One getStats() per link per tick, shared by everyone who reads link statistics: the mesh's
 * watchdog (every second), the quality indicator (every 2 s) and the sender policy (every 3 s).
 * Each used to ask on its own timer; a getStats() walks the whole connection and each timer woke
 * the page, which a 4-person meeting paid for in CPU per browser. ES5 syntax only.
 */
(function (Mendan) {
  "use strict";

  var TICK = 1000;

  /* links: the live map of remote id -> link (a link with a `pc` is polled; the bridge's is not). */
  function LinkStats(links) {
    this.links = links;
    this.readers = [];
    this.ticks = 0;
    this.timer = null;
  }

  /*
   * Every `every` ms (rounded to whole ticks): round() once, then read(remoteId, link, report) for
   * each link whose report arrived while it still was that participant's link.
   */
  LinkStats.prototype.subscribe = function (every, read, round) {
    var self = this;
    this.readers.push({ every: Math.max(1, Math.round(every / TICK)), read: read, round: round || null });
    if (!this.timer) {
      this.timer = window.setInterval(function () {
        self.poll();
      }, TICK);
    }
  };

  LinkStats.prototype.stop = function () {
    if (this.timer) {
      window.clearInterval(this.timer);
      this.timer = null;
    }
  };

  function call(reader, name, args) {
    try {
      reader[name].apply(null, args);
    } catch (error) {
      window.console.error("link statistics reader failed", error); // the others still get theirs
    }
  }

  LinkStats.prototype.poll = function () {
    var links = this.links;
    var tick = ++this.ticks;
    var due = this.readers.filter(function (reader) {
      return tick % reader.every === 0;
    });
    due.forEach(function (reader) {
      if (reader.round) {
        call(reader, "round", []);
      }
    });
    if (!due.length) {
      return;
    }
    Object.keys(links).forEach(function (id) {
      var link = links[id];
      if (!link.pc || !link.pc.getStats || link.closed) {
        return;
      }
      link.pc.getStats().then(
        function (report) {
          if (links[id] !== link || link.closed) {
            return; // replaced or closed meanwhile: the next tick looks at its successor
          }
          due.forEach(function (reader) {
            call(reader, "read", [id, link, report]);
          });
        },
        function () {
          return null; // a connection closed meanwhile
        }
      );
    });
  };

  Mendan.LinkStats = LinkStats;
})(Mendan);
