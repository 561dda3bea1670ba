/*
 * The rep's dashboard: number + recording question + 接続する, then the room in place.
 * ES5 syntax only.
 */
(function (Mendan) {
  "use strict";

  var t = Mendan.t;
  var byId = Mendan.byId;
  var busy = false;

  function showError(code) {
    Mendan.setText(byId("error-message"), code ? Mendan.errorText(code) : "");
  }

  function recordingAnswer() {
    var yes = document.querySelector("[data-testid=recording-yes]");
    var no = document.querySelector("[data-testid=recording-no]");
    if (yes.checked) {
      return true;
    }
    return no.checked ? false : null;
  }

  function setBusy(on) {
    busy = on;
    var button = byId("connect-button");
    button.disabled = on;
    Mendan.setText(button, t(on ? "rep.connecting" : "rep.connect"));
  }

  function connect(event) {
    if (event) {
      event.preventDefault();
    }
    if (busy) {
      return;
    }
    var recording = recordingAnswer();
    if (recording === null) {
      showError("recording_unanswered");
      return;
    }
    showError(null);
    setBusy(true);
    // Ask for camera and mic while the server checks the number: it saves most of a second.
    var media = Mendan.RoomMedia.earlyRequest();
    if (media) {
      media.catch(function () {
        return null;
      });
    }
    Mendan.request("POST", "/api/meetings", { number: byId("number-input").value, recording: recording }, function (error, data) {
      setBusy(false);
      if (error) {
        showError(error);
        if (media) {
          media.then(function (stream) {
            if (stream) {
              stream.getTracks().forEach(function (track) {
                track.stop();
              });
            }
          }, function () {});
        }
        byId("number-input").focus();
        return;
      }
      Mendan.show(byId("dashboard"), false);
      Mendan.show(byId("library"), false);
      Mendan.show(byId("history"), false);
      Mendan.show(byId("scheduled"), false);
      byId("again-link").setAttribute("href", "/rep");
      var room = new Mendan.Room({ ticket: data.ticket, askBeforeMedia: false });
      room.show();
      room.start();
      room.startMedia(media);
    });
  }

  function checkBrowser() {
    var works = Mendan.requireFeature(byId("connect-button"), "video_call");
    // Not on HTTPS: the notice above the device check says so once.
    var advice = Mendan.browserCouldHelp("video_call") ? Mendan.unavailableReason("video_call") : "";
    Mendan.setText(byId("error-message"), works ? "" : advice);
    // Recording happens in this browser: without it, 「はい」 is off with the reason beside it.
    var yes = document.querySelector("[data-testid=recording-yes]");
    var canRecord = Mendan.requireFeature(yes, "recording");
    if (!canRecord && yes.checked) {
      yes.checked = false;
    }
    Mendan.setText(byId("recording-unavailable"), Mendan.unavailableReason("recording"));
    Mendan.show(byId("recording-unavailable"), !canRecord && Mendan.browserCouldHelp("recording"));
  }
  checkBrowser();
  Mendan.onCapabilityChange(checkBrowser);
  byId("connect-form").onsubmit = connect;
})(Mendan);
