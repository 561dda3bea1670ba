/*
 * The rep's meeting history (商談履歴, R-7) on the dashboard: search by dates and text, each
 * meeting's details, recordings to play (with seeking), download and delete, storage in use, and
 * the CSV of exactly what is listed. The texts come from the server, the same ones the CSV holds.
 * ES5 syntax only.
 */
(function (Mendan) {
  "use strict";

  var t = Mendan.t;
  var byId = Mendan.byId;
  var CELLS = ["started", "ended", "duration", "number", "participants", "talk_time", "chat", "recordings", "documents"];
  var lastQuery = "";

  var el = Mendan.el;

  function query() {
    var parts = [];
    var fields = { from: byId("history-from").value, to: byId("history-to").value, q: byId("history-q").value };
    Object.keys(fields).forEach(function (name) {
      if (fields[name]) {
        parts.push(name + "=" + encodeURIComponent(fields[name]));
      }
    });
    return parts.join("&");
  }

  function showUsage(usage) {
    var node = byId("storage-usage");
    node.textContent = usage.text;
    var bar = byId("storage-bar");
    bar.style.width = Math.min(100, Math.round(100 * usage.used / usage.quota)) + "%";
    bar.className = "storage-fill" + (usage.full ? " full" : usage.warn ? " warn" : "");
    var note = byId("storage-note");
    note.textContent = usage.full ? t("history.storage_full") : usage.warn ? t("history.storage_warning") : "";
    Mendan.show(note, usage.warn || usage.full);
  }

  function talkBars(meeting) {
    var box = el("div", "talk-bars");
    meeting.participants.forEach(function (person) {
      if (person.share === null || person.share === undefined) {
        return;
      }
      var row = el("div", "talk-row");
      row.appendChild(el("span", "talk-name", person.text));
      var track = el("span", "talk-track");
      var fill = el("span", "talk-fill");
      fill.style.width = person.share + "%";
      track.appendChild(fill);
      row.appendChild(track);
      row.appendChild(el("span", "talk-share", person.share + "%"));
      box.appendChild(row);
    });
    return box;
  }

  function recordingItem(recording) {
    var item = el("div", "recording-item");
    // Only a stored recording is a recording-item (with its download link); one still being
    // saved, or one that failed, shows its state alone.
    item.setAttribute("data-testid", recording.url ? "recording-item" : "recording-pending");
    item.setAttribute("data-recording", recording.id);
    item.appendChild(el("p", "recording-label", recording.label));
    if (recording.url) {
      var video = document.createElement("video");
      video.controls = true;
      video.preload = "none"; // a long history must not fetch every recording when the page opens
      video.src = recording.url;
      video.className = "recording-player";
      item.appendChild(video);
      var actions = el("div", "recording-actions");
      var link = el("a", "button small", t("history.download"));
      link.href = recording.download_url;
      link.setAttribute("download", "");
      link.setAttribute("data-testid", "recording-download");
      actions.appendChild(link);
      var remove = el("button", "button small danger-outline", t("history.delete"));
      remove.type = "button";
      remove.setAttribute("data-testid", "recording-delete");
      remove.onclick = function () {
        if (!window.confirm(t("history.delete_confirm"))) {
          return;
        }
        remove.disabled = true;
        Mendan.request("DELETE", "/api/recordings/" + recording.id, null, function (error, data) {
          if (error) {
            remove.disabled = false;
            showError(error);
            return;
          }
          showUsage(data.usage);
          load();
        });
      };
      actions.appendChild(remove);
      item.appendChild(actions);
    }
    return item;
  }

  function meetingItem(meeting, columns) {
    var item = el("article", "history-item");
    item.setAttribute("data-testid", "history-item");
    item.setAttribute("data-meeting", meeting.id);
    var head = el("header", "history-head");
    head.appendChild(el("strong", "history-when", meeting.cells.started));
    head.appendChild(el("span", "history-number", t("history.number") + " " + meeting.number));
    head.appendChild(el("span", "history-duration", meeting.cells.duration || meeting.cells.ended));
    var minutes = el("a", "history-minutes", t("history.minutes")); // 商談記録: server/history/minutes_api.py
    minutes.href = "/rep/meetings/" + encodeURIComponent(meeting.id) + "/minutes";
    minutes.setAttribute("data-testid", "minutes-link");
    head.appendChild(minutes);
    item.appendChild(head);
    var list = el("dl", "history-cells");
    for (var i = 0; i < CELLS.length; i++) {
      var name = CELLS[i];
      var term = el("dt", null, columns[i]);
      var value = el("dd", "cell-" + name, meeting.cells[name]);
      value.setAttribute("data-cell", name);
      list.appendChild(term);
      list.appendChild(value);
      if (name === "talk_time") {
        var bars = talkBars(meeting);
        if (bars.childNodes.length) {
          var holder = el("dd", "cell-extra");
          holder.appendChild(bars);
          list.appendChild(holder);
        }
      }
      if (name === "recordings" && meeting.recordings.length) {
        var players = el("dd", "cell-extra");
        meeting.recordings.forEach(function (recording) {
          players.appendChild(recordingItem(recording));
        });
        list.appendChild(players);
      }
      // name === "documents": the documents shown and given arrive as text from the server
      // (`documents_of_meeting`); viewers for them would go here.
    }
    item.appendChild(list);
    return item;
  }

  function showError(code) {
    var node = byId("history-error");
    node.textContent = code ? t("history.load_failed", { reason: Mendan.errorText(code) }) : "";
  }

  /* One page of meetings (the server answers a page at a time); ``after`` continues the list. */
  function load(after) {
    if (!after) {
      lastQuery = query();
    }
    byId("history-csv").setAttribute("href", "/api/history.csv" + (lastQuery ? "?" + lastQuery : ""));
    var params = lastQuery ? [lastQuery] : [];
    if (after) {
      params.push("after=" + encodeURIComponent(after));
    }
    var url = "/api/history" + (params.length ? "?" + params.join("&") : "");
    Mendan.request("GET", url, null, function (error, data) {
      if (error) {
        showError(error);
        return;
      }
      showError(null);
      showUsage(data.usage);
      var list = byId("history-list");
      if (!after) {
        list.innerHTML = "";
      }
      data.meetings.forEach(function (meeting) {
        list.appendChild(meetingItem(meeting, data.columns));
      });
      var shown = list.childNodes.length;
      byId("history-count").textContent = t(data.next ? "history.count_more" : "history.count", { count: shown });
      Mendan.show(byId("history-empty"), !shown);
      var more = byId("history-more");
      Mendan.show(more, !!data.next);
      more.onclick = function () {
        load(data.next);
      };
    });
  }

  if (byId("history")) {
    byId("history-form").onsubmit = function (event) {
      event.preventDefault();
      load();
    };
    byId("history-clear").onclick = function () {
      byId("history-from").value = "";
      byId("history-to").value = "";
      byId("history-q").value = "";
      load();
    };
    load();
    Mendan.History = { load: load };
  }
})(Mendan);
