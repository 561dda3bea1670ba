/*
 * 商談メモ in the room: the rep's own notes of this meeting, saved as they type (a while after
 * the last key, and when the meeting ends) and never sent through the meeting: they go to the
 * rep's login over HTTP, like 資料メモ. They end up in the meeting's minutes (商談記録).
 * A room feature for the rep's page only. ES5 syntax only.
 */
(function (Mendan) {
  "use strict";

  var t = Mendan.t;
  var byId = Mendan.byId;
  var SAVE_AFTER_MS = 800;

  function Notes(room) {
    this.room = room;
    this.meetingId = null;
    this.timer = null;
    this.saving = false;
    this.dirty = false;
    Mendan.debug.notes = this;
  }

  Notes.prototype.start = function () {
    var self = this;
    var input = byId("notes-input");
    this.room.on("joined", function (reply) {
      self.onJoined(reply);
    });
    this.room.on("ended", function () {
      self.save();
    });
    input.addEventListener("input", function () {
      self.dirty = true;
      window.clearTimeout(self.timer);
      self.timer = window.setTimeout(function () {
        self.save();
      }, SAVE_AFTER_MS);
    });
  };

  Notes.prototype.url = function () {
    return "/api/meetings/" + encodeURIComponent(this.meetingId) + "/notes";
  };

  Notes.prototype.onJoined = function (reply) {
    var self = this;
    if (!this.room.isHost() || this.meetingId === reply.meeting.id) {
      return;
    }
    this.meetingId = reply.meeting.id;
    Mendan.show(byId("room-notes"), true);
    Mendan.request("GET", this.url(), null, function (code, data) {
      if (!code && !self.dirty) {
        byId("notes-input").value = data.text; // notes written before a reload of the page
      }
    });
  };

  Notes.prototype.save = function () {
    var self = this;
    window.clearTimeout(this.timer);
    if (!this.meetingId || !this.dirty) {
      return;
    }
    if (this.saving) {
      this.timer = window.setTimeout(function () {
        self.save();
      }, SAVE_AFTER_MS); // one save at a time, so an older text never lands after a newer one
      return;
    }
    this.saving = true;
    this.dirty = false;
    Mendan.request("PUT", this.url(), { text: byId("notes-input").value }, function (code) {
      self.saving = false;
      var status = byId("notes-status");
      if (code) {
        self.dirty = true;
        status.textContent = t("room.notes.failed", { reason: Mendan.errorText(code) });
        return;
      }
      var now = new Date();
      var time = ("0" + now.getHours()).slice(-2) + ":" + ("0" + now.getMinutes()).slice(-2) + ":" + ("0" + now.getSeconds()).slice(-2);
      status.textContent = t("room.notes.saved", { time: time });
    });
  };

  Mendan.Room.use(function (room) {
    new Notes(room).start();
  });
})(Mendan);
