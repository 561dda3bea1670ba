/*
 * Chat and チャット招待 in the room: a room feature (Mendan.Room.use).
 * Chat lines come with every (re)join's snapshot and as they are posted; each shows once.
 * ES5 syntax only.
 */
(function (Mendan, P) {
  "use strict";

  var t = Mendan.t;
  var byId = Mendan.byId;

  function createInvite(room) {
    var button = byId("invite-button");
    button.disabled = true;
    room.signaling.request({ type: P.types.create_invite }, function (error, reply) {
      button.disabled = false;
      if (error) {
        room.notify(Mendan.errorText(error));
        return;
      }
      var until = new Date(reply.expires_at * 1000);
      var minutes = until.getMinutes();
      byId("invite-hint").textContent = t("room.invite_made", { time: until.getHours() + ":" + (minutes < 10 ? "0" : "") + minutes });
      byId("invite-url").value = reply.url;
      Mendan.show(byId("invite-result"), true);
      byId("invite-url").select();
    });
  }

  function copyInvite() {
    var field = byId("invite-url");
    var done = function () {
      byId("invite-copy").textContent = t("room.copied");
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(field.value).then(done, function () {
        field.select();
      });
    } else {
      field.select();
      if (document.execCommand("copy")) {
        done();
      }
    }
  }

  function sendChat(room) {
    var input = byId("chat-input");
    var text = input.value;
    if (!text.replace(/\s+/g, "") || room.ended) {
      return;
    }
    byId("chat-send").disabled = true;
    room.signaling.request({ type: P.types.send_chat, text: text }, function (error) {
      byId("chat-send").disabled = false;
      if (error) {
        room.notify(Mendan.errorText(error)); // the text stays in the field to send again
        return;
      }
      if (input.value === text) {
        input.value = "";
      }
    });
  }

  function ChatLog(room) {
    this.room = room;
    this.shown = {};
  }

  ChatLog.prototype.show = function (line) {
    if (this.shown[line.id]) {
      return;
    }
    this.shown[line.id] = true;
    var item = document.createElement("li");
    item.setAttribute("data-testid", "chat-message");
    item.className = "chat-line" + (line.participant_id === this.room.selfId ? " mine" : "");
    var who = document.createElement("span");
    who.className = "chat-who";
    who.textContent = line.display_name;
    var text = document.createElement("span");
    text.className = "chat-text";
    text.textContent = line.text;
    item.appendChild(who);
    item.appendChild(text);
    var log = byId("chat-log");
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  };

  Mendan.Room.use(function (room) {
    var log = new ChatLog(room);
    Mendan.requireFeature(byId("chat-send"), "chat");
    Mendan.requireFeature(byId("chat-input"), "chat");
    byId("invite-button").onclick = function () {
      createInvite(room);
    };
    byId("invite-copy").onclick = copyInvite;
    byId("chat-form").onsubmit = function (event) {
      event.preventDefault();
      sendChat(room);
    };
    room.on("joined", function (reply) {
      var lines = reply.chat || [];
      for (var i = 0; i < lines.length; i++) {
        log.show(lines[i]);
      }
      Mendan.show(byId("invite-box"), room.isHost());
    });
    room.on("message", function (message) {
      if (message.type === P.types.chat_posted) {
        log.show(message.line);
      }
    });
    room.on("ended", function () {
      byId("chat-send").disabled = true;
      byId("chat-input").disabled = true;
      byId("invite-button").disabled = true;
    });
  });
})(Mendan, MendanProtocol);
