/*
 * 見せる: the same page for everyone, synced page turns, the presenter's pointer as a hand,
 * local resize, 閉じる for everyone, 資料メモ beside the page for the rep only. Also draws the
 * shown page into the recording. Part of the documents feature (documents.js). ES5 syntax only.
 */
(function (Mendan, P) {
  "use strict";

  var t = Mendan.t;
  var byId = Mendan.byId;
  var POINTER_MS = 50; // at most 20 pointer messages a second

  function Viewer(room) {
    this.room = room;
    this.memos = {}; // library document id -> the rep's memo
    this.shown = null;
    this.pointerSentAt = 0;
    this.pointerPending = null;
    this.pointerTimer = null;
    this.shownAt = {}; // page url -> ms when it finished loading here (Mendan.debug.documentLoadedAt)
  }

  Viewer.prototype.start = function () {
    var self = this;
    this.followPageSize();
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

  Viewer.prototype.show = function (choice) {
    var self = this;
    this.room.signaling.request({ type: P.types.show_document, document_id: choice.doc.id, page: 1 }, function (code, reply) {
      if (code) {
        self.room.notify(Mendan.replyError(code, reply));
      }
    });
  };

  /* The rep's own memo for a library document, shown beside the page while presenting it. */
  Viewer.prototype.setMemo = function (documentId, memo) {
    this.memos[documentId] = memo;
    this.renderMemo();
  };

  Viewer.prototype.isPresenter = function () {
    return !!this.shown && this.shown.presenter === this.room.selfId;
  };

  Viewer.prototype.display = function (shown) {
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

  Viewer.prototype.renderMemo = function () {
    var memo = this.shown && this.isPresenter() ? this.memos[this.shown.document_id] : "";
    byId("doc-memo-text").textContent = memo || "";
    Mendan.show(byId("doc-memo"), !!memo);
  };

  Viewer.prototype.hide = function () {
    this.shown = null;
    Mendan.show(byId("doc-view"), false);
    Mendan.show(byId("doc-pointer"), false);
    Mendan.show(byId("doc-memo"), false);
    byId("doc-page").removeAttribute("src");
    byId("doc-page").removeAttribute("data-loaded");
    this.room.root.querySelector(".stage").className = "stage";
  };

  Viewer.prototype.turn = function (step) {
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
        self.room.notify(Mendan.replyError(code, reply));
      }
    });
  };

  Viewer.prototype.close = function () {
    var self = this;
    this.room.signaling.request({ type: P.types.close_document }, function (code, reply) {
      if (code) {
        self.room.notify(Mendan.replyError(code, reply));
      }
    });
  };

  /* Local only: the view's size changes on this screen, the hand stays at the same relative spot. */
  Viewer.prototype.toggleSize = function () {
    var view = byId("doc-view");
    var small = view.getAttribute("data-size") !== "small";
    view.setAttribute("data-size", small ? "small" : "large");
    byId("doc-size").textContent = t(small ? "room.doc.larger" : "room.doc.smaller");
  };

  // ---- the pointer ----------------------------------------------------------------------------

  Viewer.prototype.onPointer = function (event) {
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
  Viewer.prototype.sendPointer = function (position) {
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

  Viewer.prototype.showPointer = function (message) {
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
  Viewer.prototype.placePointer = function () {
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
  Viewer.prototype.followPageSize = function () {
    var self = this;
    var img = byId("doc-page");
    if (window.ResizeObserver && img && !this.pageObserver) {
      this.pageObserver = new window.ResizeObserver(function () {
        self.placePointer();
      });
      this.pageObserver.observe(img);
    }
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

  Viewer.drawShownPage = drawShownPage;
  Mendan.DocumentViewer = Viewer;
})(Mendan, MendanProtocol);
