/*
 * The public start page: 商談を始める issues a number, shows it while waiting for the rep, then
 * turns into the meeting room in place. Legacy browsers load this page: ES5 syntax only.
 */
(function (Mendan) {
  "use strict";

  var t = Mendan.t;
  var byId = Mendan.byId;
  var STORAGE_KEY = "mendan.waiting";
  var countdown = null;

  function remember(entry) {
    try {
      if (entry) {
        window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(entry));
      } else {
        window.sessionStorage.removeItem(STORAGE_KEY);
      }
    } catch (ignored) {
      /* private mode without storage: a reload then simply issues a new number */
    }
  }

  function remembered() {
    try {
      var entry = JSON.parse(window.sessionStorage.getItem(STORAGE_KEY) || "null");
      return entry && entry.deadline > Date.now() ? entry : null;
    } catch (ignored) {
      return null;
    }
  }

  /* data: the failed reply, whose values fill the text (when a booked slot opens). */
  function showError(code, data) {
    Mendan.setText(byId("error-message"), code ? Mendan.replyError(code, data) : "");
  }

  function stopCountdown() {
    if (countdown !== null) {
      window.clearInterval(countdown);
      countdown = null;
    }
  }

  function startCountdown(deadline) {
    stopCountdown();
    function tick() {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      var seconds = left % 60;
      Mendan.setText(byId("expiry"), t("start.expires_in", {
        minutes: Math.floor(left / 60),
        seconds: seconds < 10 ? "0" + seconds : seconds
      }));
    }
    tick();
    countdown = window.setInterval(tick, 1000);
  }

  function showPanel(name) {
    Mendan.show(byId("issue-start"), name === "start");
    Mendan.show(byId("issue-progress"), name === "progress");
    Mendan.show(byId("number-panel"), name === "number");
    Mendan.show(byId("expired-panel"), name === "expired");
  }

  function enterWaiting(entry) {
    Mendan.setText(byId("connection-number"), entry.number);
    showPanel("number");
    startCountdown(entry.deadline);
    var room = new Mendan.Room({
      ticket: entry.ticket,
      askBeforeMedia: true,
      onStarted: function () {
        stopCountdown();
        remember(null);
        Mendan.show(byId("issue-panel"), false);
      },
      onEnded: function (reason) {
        stopCountdown();
        remember(null);
        if (reason === MendanProtocol.endReasons.NUMBER_EXPIRED || !room.startedShown) {
          Mendan.show(byId("room"), false);
          Mendan.show(byId("issue-panel"), true);
          showPanel("expired");
        }
      }
    });
    room.start();
  }

  function issue() {
    showError(null);
    Mendan.setText(byId("connection-number"), "");
    showPanel("progress");
    var body = Mendan.config.embed ? { embed: Mendan.config.embed } : {};
    // A booked meeting's link enters its slot: the same waiting, until the slot ends.
    var url = Mendan.config.scheduled ? "/api/scheduled/" + Mendan.config.scheduled + "/enter" : "/api/numbers";
    Mendan.request("POST", url, body, function (error, data) {
      if (error) {
        showPanel("start");
        showError(error, data);
        return;
      }
      var entry = {
        number: data.number,
        ticket: data.ticket,
        deadline: Date.now() + data.expires_in * 1000
      };
      remember(entry);
      enterWaiting(entry);
    });
  }

  function showCompat() {
    // Not on HTTPS: no browser or bridge would help; the device check's notice says what does.
    Mendan.show(byId("compat-banner"), Mendan.browserCouldHelp("video_call"));
  }
  showCompat();
  Mendan.onCapabilityChange(showCompat);
  byId("start-meeting").onclick = issue;
  byId("new-number").onclick = issue;
  // Off in the HTML until now: a click while the room's scripts still load would be lost.
  byId("start-meeting").disabled = false;
  var resumed = remembered();
  if (resumed) {
    enterWaiting(resumed);
  }
})(Mendan);
