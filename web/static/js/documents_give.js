/*
 * 渡す: the giver's countdown, and on the other side 資料を受け取る with its countdown and
 * the one-time download. Part of the documents feature (documents.js). ES5 syntax only.
 */
(function (Mendan, P) {
  "use strict";

  var t = Mendan.t;
  var byId = Mendan.byId;
  var el = Mendan.el;

  function Giving(room) {
    this.room = room;
    this.offers = {}; // give id -> {box, timer} of an offer shown here
    this.giveTimers = {}; // document id -> the giver's countdown
  }

  /* The meeting ended: every countdown stops. */
  Giving.prototype.stop = function () {
    var ids = Object.keys(this.offers);
    for (var i = 0; i < ids.length; i++) {
      window.clearInterval(this.offers[ids[i]].timer);
    }
    var gives = Object.keys(this.giveTimers);
    for (var j = 0; j < gives.length; j++) {
      window.clearInterval(this.giveTimers[gives[j]]);
    }
  };

  Giving.prototype.give = function (choice) {
    var self = this;
    var status = byId("doc-give-status");
    var buttonNode = choice.giveButton;
    buttonNode.disabled = true;
    this.room.signaling.request({ type: P.types.give_document, document_id: choice.doc.id }, function (code, reply) {
      if (code) {
        buttonNode.disabled = false;
        status.textContent = Mendan.replyError(code, reply);
        return;
      }
      if (!reply.recipients) {
        buttonNode.disabled = false;
        status.textContent = t("room.doc.nobody");
        return;
      }
      var left = Math.round(reply.ttl);
      var paint = function () {
        status.textContent = t("room.doc.giving", { title: choice.doc.title, seconds: left });
      };
      paint();
      window.clearInterval(self.giveTimers[choice.doc.id]);
      self.giveTimers[choice.doc.id] = window.setInterval(function () {
        left -= 1;
        if (left > 0) {
          paint();
          return;
        }
        window.clearInterval(self.giveTimers[choice.doc.id]);
        delete self.giveTimers[choice.doc.id];
        buttonNode.disabled = false; // the FAQ: after the minute, 「資料を渡す」 again
        status.textContent = t("room.doc.give_over");
      }, 1000);
    });
  };

  Giving.prototype.offer = function (message) {
    var self = this;
    if (this.offers[message.give_id]) {
      return; // sent again after a reconnect: this page shows it already
    }
    var box = el("div", "doc-offer");
    box.setAttribute("data-testid", "doc-offer");
    var giver = this.room.participants[message.giver];
    box.appendChild(el("p", "doc-offer-who", t("room.doc.offered", { name: giver ? giver.display_name : "" })));
    box.appendChild(el("p", "doc-offer-title", message.title + "(" + message.filename + ")"));
    var receive = el("button", "button primary", t("room.doc.receive"));
    receive.type = "button";
    receive.setAttribute("data-testid", "doc-receive");
    var countdown = el("p", "hint doc-offer-countdown");
    countdown.setAttribute("data-testid", "doc-offer-countdown");
    box.appendChild(receive);
    box.appendChild(countdown);
    byId("doc-offers").appendChild(box);
    this.room.notify(t("room.doc.offered", { name: giver ? giver.display_name : "" }));
    var left = Math.round(message.ttl);
    var entry = { box: box, timer: null };
    this.offers[message.give_id] = entry;
    var paint = function () {
      countdown.textContent = t("room.doc.countdown", { seconds: left });
    };
    var finish = function (text, className) {
      window.clearInterval(entry.timer);
      delete self.offers[message.give_id];
      box.className = "doc-offer done";
      box.innerHTML = "";
      var line = el("p", className, text);
      line.setAttribute("data-testid", className === "alert" ? "doc-offer-expired" : "doc-offer-done");
      box.appendChild(line);
    };
    paint();
    entry.timer = window.setInterval(function () {
      left -= 1;
      if (left > 0) {
        paint();
        return;
      }
      finish(t("error.give_expired"), "alert");
      self.room.notify(t("error.give_expired"));
    }, 1000);
    receive.onclick = function () {
      receive.disabled = true;
      self.download(message, function (problem) {
        if (problem) {
          finish(problem, "alert");
          return;
        }
        finish(t("room.doc.received", { filename: message.filename }), "hint");
      });
    };
  };

  /*
   * The one-time link is asked about first, so a refusal (used, expired) shows its message; then
   * the browser downloads it itself, in a hidden frame: its own progress and download list, no
   * copy of a large file held in this page, and an error page there never replaces the room.
   */
  Giving.prototype.download = function (message, done) {
    Mendan.upload.getJson(message.status_url, {}, function (problem) {
      if (problem) {
        done(problem);
        return;
      }
      var frame = document.createElement("iframe");
      frame.style.display = "none";
      frame.setAttribute("aria-hidden", "true");
      frame.src = message.url;
      document.body.appendChild(frame);
      window.setTimeout(function () {
        document.body.removeChild(frame);
      }, 60000); // long enough for the download to have begun; it goes on without the frame
      done(null);
    });
  };

  Mendan.DocumentGiving = Giving;
})(Mendan, MendanProtocol);
