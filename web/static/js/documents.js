/*
 * Documents in the room: what this person can show or give (the rep's library, files
 * shared into this meeting with 資料共有 by anyone), and the wiring of the two ways to use them:
 * 見せる (documents_show.js) and 渡す (documents_give.js). A room feature: registered with
 * Mendan.Room.use. ES5 syntax only.
 */
(function (Mendan, P) {
  "use strict";

  var t = Mendan.t;
  var byId = Mendan.byId;
  var POLL_MS = 1000;

  var el = Mendan.el;

  function Documents(room) {
    this.room = room;
    this.choices = {};
    this.libraryLoaded = false;
    this.viewer = new Mendan.DocumentViewer(room);
    this.giving = new Mendan.DocumentGiving(room);
  }

  Documents.prototype.start = function () {
    var self = this;
    var room = this.room;
    this.viewer.start();
    room.on("joined", function (reply) {
      self.onJoined(reply);
    });
    room.on("message", function (message) {
      self.onMessage(message);
    });
    room.on("ended", function () {
      self.viewer.hide();
      self.giving.stop();
      Mendan.show(byId("doc-panel"), false);
    });
    byId("doc-share-file").onchange = function () {
      self.shareFile(byId("doc-share-file"));
    };
  };

  // ---- signaling ------------------------------------------------------------------------------

  Documents.prototype.onJoined = function (reply) {
    if (this.room.isHost() && Mendan.config.rep && !this.libraryLoaded) {
      this.libraryLoaded = true;
      this.loadLibrary();
    }
    if (reply.document) {
      this.viewer.display(reply.document);
    } else {
      this.viewer.hide();
    }
  };

  Documents.prototype.onMessage = function (message) {
    var types = P.types;
    var viewer = this.viewer;
    if (message.type === types.document_shown) {
      viewer.display(message.document);
    } else if (message.type === types.document_closed) {
      if (viewer.shown && viewer.shown.show_id === message.show_id) {
        viewer.hide();
      }
    } else if (message.type === types.pointer_moved) {
      viewer.showPointer(message);
    } else if (message.type === types.document_offered) {
      this.giving.offer(message);
    }
  };

  /* The memo is the rep's only: fetched with the rep's login, never sent through the meeting. */
  Documents.prototype.loadMemo = function (choice) {
    var viewer = this.viewer;
    if (choice.source !== "library" || viewer.memos[choice.doc.id] !== undefined) {
      return;
    }
    Mendan.request("GET", this.detailUrl(choice), null, function (code, data) {
      if (!code) {
        viewer.setMemo(choice.doc.id, data.document.memo || "");
      }
    });
  };

  // ---- what I can show or give ----------------------------------------------------------------

  Documents.prototype.loadLibrary = function () {
    var self = this;
    Mendan.request("GET", "/api/documents", null, function (code, data) {
      if (code) {
        self.room.notify(Mendan.replyError(code, data));
        return;
      }
      for (var i = 0; i < data.documents.length; i++) {
        self.putChoice(data.documents[i], "library");
      }
    });
  };

  Documents.prototype.detailUrl = function (choice) {
    var id = encodeURIComponent(choice.doc.id);
    return choice.source === "library" ? "/api/documents/" + id : "/api/meeting-documents/" + id;
  };

  Documents.prototype.ticketHeaders = function () {
    return { "X-Mendan-Ticket": this.room.options.ticket };
  };

  Documents.prototype.putChoice = function (doc, source) {
    var self = this;
    var choice = this.choices[doc.id];
    if (!choice) {
      choice = { source: source };
      choice.row = el("li", "doc-choice");
      choice.row.setAttribute("data-testid", "doc-choice");
      choice.row.setAttribute("data-document-id", doc.id);
      choice.title = el("span", "doc-choice-title");
      choice.state = el("span", "doc-choice-state");
      choice.showButton = el("button", "button small primary", t("room.doc.show"));
      choice.showButton.type = "button";
      choice.showButton.setAttribute("data-testid", "doc-show");
      choice.giveButton = el("button", "button small", t("room.doc.give"));
      choice.giveButton.type = "button";
      choice.giveButton.setAttribute("data-testid", "doc-give");
      var buttons = el("span", "doc-choice-buttons");
      buttons.appendChild(choice.showButton);
      buttons.appendChild(choice.giveButton);
      choice.row.appendChild(choice.title);
      choice.row.appendChild(choice.state);
      choice.row.appendChild(buttons);
      byId("doc-choices").appendChild(choice.row);
      choice.showButton.onclick = function () {
        self.loadMemo(choice);
        self.viewer.show(choice);
      };
      choice.giveButton.onclick = function () {
        self.giving.give(choice);
      };
      this.choices[doc.id] = choice;
    }
    choice.doc = doc;
    choice.title.textContent = doc.title;
    var state = doc.render.state;
    var reason = doc.render.failure ? doc.render.failure.message : "";
    choice.state.textContent = state === "ready" ? t("library.pages", { count: doc.page_count }) : doc.render.label;
    choice.row.setAttribute("data-state", state);
    // 見せる is disabled with the reason when the file cannot be shown; 渡す still works.
    choice.showButton.disabled = !doc.can_show;
    choice.showButton.title = reason;
    choice.state.title = reason;
    Mendan.show(choice.giveButton, !!doc.shareable);
    if (state === "pending" || state === "rendering") {
      this.pollChoice(choice);
    }
  };

  Documents.prototype.pollChoice = function (choice) {
    var self = this;
    if (choice.polling) {
      return;
    }
    choice.polling = window.setTimeout(function () {
      var headers = choice.source === "library" ? {} : self.ticketHeaders();
      Mendan.upload.getJson(self.detailUrl(choice), headers, function (problem, data) {
        choice.polling = null;
        if (self.room.ended) {
          return;
        }
        if (problem) {
          self.pollChoice(choice);
          return;
        }
        self.putChoice(data.document, choice.source);
      });
    }, POLL_MS);
  };

  /* 資料共有: a file picked now, by anyone, uploaded into this meeting only. */
  Documents.prototype.shareFile = function (input) {
    var self = this;
    var file = input.files && input.files[0];
    var problem = Mendan.upload.checkFile(file);
    if (problem) {
      this.room.notify(problem);
      input.value = "";
      return;
    }
    var form = new FormData();
    form.append("file", file);
    var box = byId("doc-share-progress");
    var paint = function (percent) {
      Mendan.show(box, percent !== null);
      if (percent !== null) {
        byId("doc-share-bar").value = percent;
        byId("doc-share-percent").textContent = t("library.uploading", { percent: percent });
      }
    };
    paint(0);
    Mendan.upload.send(
      form,
      { method: "POST", url: "/api/meeting-documents", headers: this.ticketHeaders(), onProgress: paint },
      function (problemText, data) {
        paint(null);
        input.value = "";
        if (problemText) {
          self.room.notify(problemText);
          return;
        }
        self.putChoice(data.document, "meeting");
      }
    );
  };

  Mendan.Room.use(function (room) {
    var documents = new Documents(room);
    documents.start();
    /* Date.now() when the page image at url finished loading on this screen (bench/show.py). */
    Mendan.debug.documentLoadedAt = function (url) {
      return documents.viewer.shownAt[url] || null;
    };
    if (Mendan.Recorder && Mendan.Recorder.layers.indexOf(Mendan.DocumentViewer.drawShownPage) < 0) {
      Mendan.Recorder.layers.push(Mendan.DocumentViewer.drawShownPage);
    }
  });
})(Mendan, MendanProtocol);
