/*
 * Scheduled meetings (予定の商談) on the rep's dashboard: book a slot, copy the customer's link or
 * the .ics, cancel, and 開始する once the customer waits. Starting is 接続する with the waiting
 * customer's number, so the recording question and everything after are the usual ones.
 * ES5 syntax only.
 */
(function (Mendan) {
  "use strict";

  var t = Mendan.t;
  var byId = Mendan.byId;
  var el = Mendan.el;
  var REFRESH_MS = 5000;

  function showError(code, data) {
    var text = code ? Mendan.replyError(code, data) : "";
    Mendan.setText(byId("schedule-error"), text);
  }

  function start(number) {
    byId("number-input").value = number;
    byId("connect-form").onsubmit(null);
    byId("dashboard").scrollIntoView();
  }

  function row(item) {
    var li = el("li", "schedule-item");
    li.setAttribute("data-testid", "schedule-item");
    var head = el("div", "schedule-head");
    head.appendChild(el("strong", "", item.when));
    head.appendChild(el("span", "", " " + item.customer_name + (item.company_name ? " ・ " + item.company_name : "")));
    li.appendChild(head);
    var link = el("input", "snippet");
    link.readOnly = true;
    link.value = item.link;
    link.setAttribute("aria-label", t("scheduled.link"));
    link.setAttribute("data-testid", "schedule-link");
    li.appendChild(link);
    var actions = el("div", "schedule-actions");
    var ics = el("a", "button small", t("scheduled.ics"));
    ics.href = item.ics_url;
    ics.setAttribute("download", "");
    actions.appendChild(ics);
    var cancel = el("button", "button small", t("scheduled.cancel"));
    cancel.type = "button";
    cancel.onclick = function () {
      Mendan.request("POST", "/api/scheduled/" + item.id + "/cancel", {}, function (error, data) {
        showError(error, data);
        refresh();
      });
    };
    actions.appendChild(cancel);
    var state = el("span", item.waiting_number ? "ok" : "hint", t(item.waiting_number ? "scheduled.waiting" : "scheduled.not_waiting"));
    state.setAttribute("data-testid", "schedule-state");
    actions.appendChild(state);
    if (item.waiting_number) {
      var go = el("button", "button primary small", t("scheduled.start"));
      go.type = "button";
      go.setAttribute("data-testid", "schedule-start");
      go.onclick = function () {
        start(item.waiting_number);
      };
      actions.appendChild(go);
    }
    li.appendChild(actions);
    return li;
  }

  function render(items) {
    var list = byId("schedule-list");
    while (list.firstChild) {
      list.removeChild(list.firstChild);
    }
    for (var i = 0; i < items.length; i++) {
      list.appendChild(row(items[i]));
    }
    Mendan.show(byId("schedule-empty"), items.length === 0);
  }

  function refresh() {
    if (byId("scheduled").hidden) {
      return; // in a meeting now: the dashboard comes back with a new page
    }
    Mendan.request("GET", "/api/scheduled", null, function (error, data) {
      if (!error) {
        render(data.scheduled);
      }
    });
  }

  function book(event) {
    if (event) {
      event.preventDefault();
    }
    var body = {
      starts_at: byId("schedule-when").value,
      minutes: parseInt(byId("schedule-minutes").value, 10) || 0,
      customer_name: byId("schedule-customer").value,
      company_name: byId("schedule-company").value
    };
    Mendan.request("POST", "/api/scheduled", body, function (error, data) {
      showError(error, data);
      if (!error) {
        byId("schedule-customer").value = "";
        byId("schedule-company").value = "";
        refresh();
      }
    });
  }

  byId("schedule-form").onsubmit = book;
  refresh();
  window.setInterval(refresh, REFRESH_MS);
})(Mendan);
