/*
 * Who is in the meeting, as the server says: the join snapshot, then participant_joined,
 * participant_updated (stale versions dropped) and participant_left. Knows nothing of media or
 * the page. ES5 syntax only.
 */
(function (Mendan, P) {
  "use strict";

  function RoomRoster() {
    this.people = {}; // participant id -> participant (protocol shape); the same object always
  }

  /* Take a full snapshot; returns the ids that are no longer there. */
  RoomRoster.prototype.replace = function (participants) {
    var present = {};
    for (var i = 0; i < participants.length; i++) {
      present[participants[i].id] = true;
      this.people[participants[i].id] = participants[i];
    }
    var gone = [];
    var ids = Object.keys(this.people);
    for (var j = 0; j < ids.length; j++) {
      if (!present[ids[j]]) {
        gone.push(ids[j]);
      }
    }
    return gone;
  };

  /*
   * Apply one server message; returns {change: "joined" | "updated" | "left", person} when it
   * changed the roster, null otherwise (another type, or a stale update).
   */
  RoomRoster.prototype.apply = function (message) {
    var types = P.types;
    if (message.type === types.participant_joined) {
      this.people[message.participant.id] = message.participant;
      return { change: "joined", person: message.participant };
    }
    if (message.type === types.participant_updated) {
      var known = this.people[message.participant.id];
      if (known && known.version >= message.participant.version) {
        return null;
      }
      this.people[message.participant.id] = message.participant;
      return { change: "updated", person: message.participant };
    }
    if (message.type === types.participant_left) {
      var gone = this.people[message.participant_id];
      return { change: "left", person: gone || { id: message.participant_id } };
    }
    return null;
  };

  RoomRoster.prototype.remove = function (id) {
    delete this.people[id];
  };

  RoomRoster.prototype.find = function (role) {
    var ids = Object.keys(this.people);
    for (var i = 0; i < ids.length; i++) {
      if (this.people[ids[i]].role === role) {
        return this.people[ids[i]];
      }
    }
    return null;
  };

  RoomRoster.prototype.isHost = function (id) {
    var person = this.people[id];
    return !!person && person.role === P.roles.HOST;
  };

  Mendan.RoomRoster = RoomRoster;
})(Mendan, MendanProtocol);
