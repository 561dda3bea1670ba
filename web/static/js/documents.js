/*
 * Documents in the room: 見せる (the same page for everyone, synced page turns, the
 * presenter's pointer as a hand, local resize, 閉じる for everyone, 資料メモ for the rep only),
 * 渡す (資料を受け取る with a countdown, one-time download) and 資料共有 from any participant.
 * A room feature: registered with Mendan.Room.use. ES5 syntax only.
 */
(function (Mendan, P) {
  "use strict";

  var t = Mendan.t;
  var byId = Mendan.byId;
  var POINTER_MS = 50; // at most 20 pointer messages a second
  var POLL_MS = 1000;

  var el = Mendan.el;

  function replyMessage(code, reply) {
    return reply && reply.error && reply.error.message ? reply.error.message : Mendan.errorText(code);
  }

  function Documents(room) {
    this.room = room;
    this.choices = {};
    this.memos = {};
    this.shown = null;
    this.offers = {};
    this.giveTimers = {};
    this.libraryLoaded = false;
    this.pointerSentAt = 0;
    this.pointerPending = null;
    this.pointerTimer = null;
    this.shownAt = {}; // page url -> ms when it finished loading here (read by bench/show.py)
    Mendan.debug.documents = this;
  }

  Documents.prototype.start = function () {
    var self = this;
    var room = this.room;
    this.followPageSize();
    room.on("joined", function (reply) {
      self.onJoined(reply);
    });
    room.on("message", function (message) {
      self.onMessage(message);
    });
    room.on("ended", function () {
      self.onEnded();
    });
    byId("doc-prev").onclick = function () {
      self.turn(-1);
    };
    byId("doc-next").onclick = function () {
      self.turn(1);
    };
    byId("doc-close").onclick = function () {
      self.close();
    };
    byId("doc-size").onclick = function () {
      self.toggleSize();
    };
    byId("doc-share-file").onchange = function () {
      self.shareFile(byId("doc-share-file"));
    };
    var sheet = byId("doc-sheet");
    sheet.onmousemove = function (event) {
      self.onPointer(event);
    };
    sheet.onmouseleave = function () {
      self.sendPointer(null);
    };
    byId("doc-page").onload = function () {
      var img = byId("doc-page");
      self.shownAt[img.getAttribute("src")] = Date.now();
      img.setAttribute("data-loaded", "true");
    };
  };

  // ---- signaling ------------------------------------------------------------------------------

  Documents.prototype.onJoined = function (reply) {
    if (this.room.isHost() && Mendan.config.rep && !this.libraryLoaded) {
      this.libraryLoaded = true;
      this.loadLibrary();
    }
    if (reply.document) {
      this.display(reply.document);
    } else {
      this.hide();
    }
  };

  Documents.prototype.onMessage = function (message) {
    var types = P.types;
    if (message.type === types.document_shown) {
      this.display(message.document);
    } else if (message.type === types.document_closed) {
      if (this.shown && this.shown.show_id === message.show_id) {
        this.hide();
      }
    } else if (message.type === types.pointer_moved) {
      this.showPointer(message);
    } else if (message.type === types.document_offered) {
      this.offer(message);
    }
  };

  Documents.prototype.onEnded = function () {
    this.hide();
    var ids = Object.keys(this.offers);
    for (var i = 0; i < ids.length; i++) {
      window.clearInterval(this.offers[ids[i]].timer);
    }
    var gives = Object.keys(this.giveTimers);
    for (var j = 0; j < gives.length; j++) {
      window.clearInterval(this.giveTimers[gives[j]]);
    }
    Mendan.show(byId("doc-panel"), false);
  };

  // ---- what I can show or give ----------------------------------------------------------------

  Documents.prototype.loadLibrary = function () {
    var self = this;
    Mendan.request("GET", "/api/documents", null, function (code, data) {
      if (code) {
        self.room.notify(replyMessage(code, data));
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
        self.show(choice);
      };
      choice.giveButton.onclick = function () {
        self.give(choice);
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

  // ---- 見せる ---------------------------------------------------------------------------------

  Documents.prototype.show = function (choice) {
    var self = this;
    if (choice.source === "library" && this.memos[choice.doc.id] === undefined) {
      // The memo is the rep's only: fetched with the rep's login, never sent through the meeting.
      Mendan.request("GET", this.detailUrl(choice), null, function (code, data) {
        if (!code) {
          self.memos[choice.doc.id] = data.document.memo || "";
          self.renderMemo();
        }
      });
    }
    this.room.signaling.request({ type: P.types.show_document, document_id: choice.doc.id, page: 1 }, function (code, reply) {
      if (code) {
        self.room.notify(replyMessage(code, reply));
      }
    });
  };

  Documents.prototype.isPresenter = function () {
    return !!this.shown && this.shown.presenter === this.room.selfId;
  };

  Documents.prototype.display = function (shown) {
    var changedDocument = !this.shown || this.shown.show_id !== shown.show_id;
    this.shown = shown;
    var img = byId("doc-page");
    if (img.getAttribute("src") !== shown.url) {
      img.removeAttribute("data-loaded");
      img.setAttribute("src", shown.url);
    }
    img.setAttribute("data-page", String(shown.page));
    img.alt = t("room.doc.page", { page: shown.page, count: shown.page_count }) + " " + shown.title;
    byId("doc-view-title").textContent = shown.title;
    byId("doc-view-page").textContent = t("room.doc.page", { page: shown.page, count: shown.page_count });
    var presenter = this.isPresenter();
    Mendan.show(byId("doc-prev"), presenter);
    Mendan.show(byId("doc-next"), presenter);
    byId("doc-prev").disabled = shown.page <= 1;
    byId("doc-next").disabled = shown.page >= shown.page_count;
    Mendan.show(byId("doc-close"), presenter || this.room.isHost());
    byId("doc-sheet").className = "doc-sheet" + (presenter ? " presenting" : "");
    if (changedDocument) {
      Mendan.show(byId("doc-pointer"), false);
    }
    this.renderMemo();
    Mendan.show(byId("doc-view"), true);
    this.room.root.querySelector(".stage").className = "stage showing-doc";
  };

  Documents.prototype.renderMemo = function () {
    var memo = this.shown && this.isPresenter() ? this.memos[this.shown.document_id] : "";
    byId("doc-memo-text").textContent = memo || "";
    Mendan.show(byId("doc-memo"), !!memo);
  };

  Documents.prototype.hide = function () {
    this.shown = null;
    Mendan.show(byId("doc-view"), false);
    Mendan.show(byId("doc-pointer"), false);
    Mendan.show(byId("doc-memo"), false);
    byId("doc-page").removeAttribute("src");
    byId("doc-page").removeAttribute("data-loaded");
    this.room.root.querySelector(".stage").className = "stage";
  };

  Documents.prototype.turn = function (step) {
    var self = this;
    if (!this.isPresenter()) {
      return;
    }
    var page = this.shown.page + step;
    if (page < 1 || page > this.shown.page_count) {
      return;
    }
    this.room.signaling.request({ type: P.types.turn_page, page: page }, function (code, reply) {
      if (code) {
        self.room.notify(replyMessage(code, reply));
      }
    });
  };

  Documents.prototype.close = function () {
    var self = this;
    this.room.signaling.request({ type: P.types.close_document }, function (code, reply) {
      if (code) {
        self.room.notify(replyMessage(code, reply));
      }
    });
  };

  /* Local only: the view's size changes on this screen, the hand stays at the same relative spot. */
  Documents.prototype.toggleSize = function () {
    var view = byId("doc-view");
    var small = view.getAttribute("data-size") !== "small";
    view.setAttribute("data-size", small ? "small" : "large");
    byId("doc-size").textContent = t(small ? "room.doc.larger" : "room.doc.smaller");
  };

  // ---- the pointer ----------------------------------------------------------------------------

  Documents.prototype.onPointer = function (event) {
    if (!this.isPresenter()) {
      return;
    }
    var rect = byId("doc-page").getBoundingClientRect();
    if (!rect.width || !rect.height) {
      return;
    }
    var x = (event.clientX - rect.left) / rect.width;
    var y = (event.clientY - rect.top) / rect.height;
    if (x < 0 || x > 1 || y < 0 || y > 1) {
      this.sendPointer(null);
      return;
    }
    this.sendPointer({ x: Math.round(x * 10000) / 10000, y: Math.round(y * 10000) / 10000 });
  };

  /* Throttled: the latest position goes out at most every POINTER_MS; null (hide) goes at once. */
  Documents.prototype.sendPointer = function (position) {
    var self = this;
    if (!this.isPresenter()) {
      return;
    }
    this.pointerPending = position;
    if (this.pointerTimer) {
      return;
    }
    var wait = POINTER_MS - (Date.now() - this.pointerSentAt);
    var flush = function () {
      self.pointerTimer = null;
      self.pointerSentAt = Date.now();
      var latest = self.pointerPending;
      self.room.signaling.send({ type: P.types.move_pointer, x: latest ? latest.x : null, y: latest ? latest.y : null });
    };
    if (wait <= 0 || position === null) {
      flush();
    } else {
      this.pointerTimer = window.setTimeout(flush, wait);
    }
  };

  Documents.prototype.showPointer = function (message) {
    var hand = byId("doc-pointer");
    if (!this.shown || message.sender !== this.shown.presenter || message.x === undefined || message.x === null) {
      Mendan.show(hand, false);
      return;
    }
    hand.setAttribute("data-x", String(message.x));
    hand.setAttribute("data-y", String(message.y));
    this.placePointer();
    Mendan.show(hand, true);
  };

  /* The hand sits at the presenter's spot on the page as it is laid out now (again when it resizes). */
  Documents.prototype.placePointer = function () {
    var hand = byId("doc-pointer");
    var img = byId("doc-page");
    var x = parseFloat(hand.getAttribute("data-x"));
    var y = parseFloat(hand.getAttribute("data-y"));
    if (isNaN(x) || isNaN(y)) {
      return;
    }
    hand.style.left = img.offsetLeft + x * img.clientWidth + "px";
    hand.style.top = img.offsetTop + y * img.clientHeight + "px";
  };

  /* Remote video arriving or the window changing resizes the page under a resting hand. */
  Documents.prototype.followPageSize = function () {
    var self = this;
    var img = byId("doc-page");
    if (window.ResizeObserver && img && !this.pageObserver) {
      this.pageObserver = new window.ResizeObserver(function () {
        self.placePointer();
      });
      this.pageObserver.observe(img);
    }
  };

  // ---- 渡す -----------------------------------------------------------------------------------

  Documents.prototype.give = function (choice) {
    var self = this;
    var status = byId("doc-give-status");
    var buttonNode = choice.giveButton;
    buttonNode.disabled = true;
    this.room.signaling.request({ type: P.types.give_document, document_id: choice.doc.id }, function (code, reply) {
      if (code) {
        buttonNode.disabled = false;
        status.textContent = replyMessage(code, reply);
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

  Documents.prototype.offer = function (message) {
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
  Documents.prototype.download = function (message, done) {
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

  /* The recording shows the document too: the page on the left, the videos beside it. */
  function drawShownPage(ctx, width, height) {
    var img = byId("doc-page");
    if (!img || !img.getAttribute("src") || !img.complete || !img.naturalWidth) {
      return;
    }
    var areaWidth = Math.round(width * 0.68);
    var scale = Math.min(areaWidth / img.naturalWidth, height / img.naturalHeight);
    var w = img.naturalWidth * scale;
    var h = img.naturalHeight * scale;
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, areaWidth, height);
    ctx.drawImage(img, (areaWidth - w) / 2, (height - h) / 2, w, h);
  }

  Mendan.Room.use(function (room) {
    new Documents(room).start();
    if (Mendan.Recorder && Mendan.Recorder.layers.indexOf(drawShownPage) < 0) {
      Mendan.Recorder.layers.push(drawShownPage);
    }
  });
})(Mendan, MendanProtocol);
