/*
 * 書き込み on the shown page: pen, highlighter and eraser in a few colours, undo and clear, drawn
 * live on every screen and into the rep's recording. Strokes are vectors, sent in small pieces
 * while they are drawn (every PIECE_MS), with coordinates as fractions of the page, so every
 * screen size draws them in the same place. The server keeps them per page of the open document
 * (a late joiner gets the current page's, a page turn asks for that page's) and 閉じる starts the
 * next document blank. The rep draws always; the customer and guests when the rep allows it.
 * Pointer events: mouse, pen and touch alike. A room feature: Mendan.Room.use. ES5 syntax only.
 */
(function (Mendan, P) {
  "use strict";

  var t = Mendan.t;
  var byId = Mendan.byId;
  var PIECE_MS = 50; // a piece at most this often: about 20 messages a second while drawing
  var MAX_POINTS = 64; // the schema's MAX_STROKE_POINTS
  var WIDTHS = { pen: 4, highlighter: 24, eraser: 30 }; // thousandths of the page's width
  var HIGHLIGHTER_ALPHA = 0.35;
  var RECORDED_PAGE_WIDTH = 0.68; // documents.js draws the page on this share of the recording

  var active = null; // the room's Annotations, for the recording's layer

  function newStrokeId() {
    var bytes = new Uint8Array(8);
    window.crypto.getRandomValues(bytes);
    var out = "";
    for (var i = 0; i < bytes.length; i++) {
      out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    }
    return out;
  }

  function Annotations(room) {
    this.room = room;
    this.page = null; // {show_id, page} shown now
    this.pieces = []; // DrawnStroke of that page, in drawing order
    this.allowed = false;
    this.drawing = false; // the 書き込み mode is on here
    this.tool = "pen";
    this.color = "#d92b2b";
    this.stroke = null; // the stroke under the pointer: {id, pending points, last sent point}
    this.flushTimer = null;
    this.arrivals = {}; // stroke id -> Date.now() when its first piece from someone else was drawn
    this.canvas = null;
    active = this;
  }

  /* The id of the latest stroke drawn on the shown page here, or null (bench/annotate.py). */
  Mendan.debug.lastStroke = function () {
    var pieces = active ? active.pieces : [];
    return pieces.length ? pieces[pieces.length - 1].stroke.stroke_id : null;
  };

  /* Date.now() when the first piece of someone else's stroke strokeId was drawn here, or null. */
  Mendan.debug.strokeDrawnAt = function (strokeId) {
    return active && active.arrivals[strokeId] ? active.arrivals[strokeId] : null;
  };

  Annotations.prototype.start = function () {
    var self = this;
    var room = this.room;
    this.makeCanvas();
    room.on("joined", function (reply) {
      self.allowed = !!reply.drawing_allowed;
      self.onPage(reply.document || null, reply.strokes || []);
    });
    room.on("message", function (message) {
      self.onMessage(message);
    });
    room.on("participants", function () {
      self.renderBar();
    });
    room.on("ended", function () {
      self.onPage(null, []);
    });
    byId("annotate-toggle").onclick = function () {
      self.setDrawing(!self.drawing);
    };
    byId("annotate-undo").onclick = function () {
      self.request(P.types.undo_stroke);
    };
    byId("annotate-clear").onclick = function () {
      self.request(P.types.clear_strokes);
    };
    byId("annotate-allow").onchange = function () {
      self.send({ type: P.types.allow_drawing, allowed: byId("annotate-allow").checked });
    };
    this.bindPicker("annotate-tool", "data-tool", function (value) {
      self.tool = value;
    });
    this.bindPicker("annotate-color", "data-color", function (value) {
      self.color = value;
    });
  };

  Annotations.prototype.bindPicker = function (className, attribute, choose) {
    var buttons = byId("annotate-bar").querySelectorAll("." + className);
    function pick(button) {
      return function () {
        for (var j = 0; j < buttons.length; j++) {
          buttons[j].setAttribute("aria-pressed", String(buttons[j] === button));
        }
        choose(button.getAttribute(attribute));
      };
    }
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].onclick = pick(buttons[i]);
    }
  };

  // ---- the page and its strokes -------------------------------------------------------------------

  Annotations.prototype.onMessage = function (message) {
    var types = P.types;
    if (message.type === types.document_shown) {
      this.onPage(message.document, null);
    } else if (message.type === types.document_closed) {
      this.onPage(null, []);
    } else if (message.type === types.stroke_drawn) {
      this.onDrawn(message.drawn);
    } else if (message.type === types.stroke_removed && this.isCurrent(message)) {
      this.pieces = this.pieces.filter(function (piece) {
        return piece.stroke.stroke_id !== message.stroke_id;
      });
      this.redraw();
    } else if (message.type === types.strokes_cleared && this.isCurrent(message)) {
      this.pieces = [];
      this.redraw();
    } else if (message.type === types.drawing_allowed) {
      this.allowed = message.allowed;
      if (!this.mayDraw()) {
        this.setDrawing(false);
      }
      this.renderBar();
    }
  };

  Annotations.prototype.isCurrent = function (where) {
    return !!this.page && where.show_id === this.page.show_id && where.page === this.page.page;
  };

  /* shown: the document as shown now, or null; strokes: that page's, or null to ask the server. */
  Annotations.prototype.onPage = function (shown, strokes) {
    var self = this;
    var next = shown ? { show_id: shown.show_id, page: shown.page } : null;
    var same = next && this.page && this.isCurrent(next);
    this.page = next;
    if (!next) {
      this.pieces = [];
      this.setDrawing(false);
    } else if (strokes) {
      this.pieces = strokes.slice();
    } else if (!same) {
      this.pieces = [];
      this.room.signaling.request({ type: P.types.get_strokes, show_id: next.show_id, page: next.page }, function (error, reply) {
        if (!error && self.isCurrent(reply)) {
          self.pieces = reply.strokes;
          self.redraw();
        }
      });
    }
    this.placeCanvas();
    this.renderBar();
  };

  Annotations.prototype.onDrawn = function (drawn) {
    if (!this.isCurrent(drawn)) {
      return;
    }
    this.pieces.push(drawn);
    this.paint(drawn.stroke);
    if (!this.arrivals[drawn.stroke.stroke_id]) {
      this.arrivals[drawn.stroke.stroke_id] = Date.now();
    }
  };

  // ---- the drawing surface ------------------------------------------------------------------------

  Annotations.prototype.makeCanvas = function () {
    var self = this;
    var canvas = document.createElement("canvas");
    canvas.className = "annotation-layer";
    canvas.setAttribute("data-testid", "annotation-layer");
    byId("doc-sheet").appendChild(canvas);
    this.canvas = canvas;
    var img = byId("doc-page");
    img.addEventListener("load", function () {
      self.placeCanvas();
    });
    if (window.ResizeObserver) {
      new window.ResizeObserver(function () {
        self.placeCanvas();
      }).observe(img);
    }
    canvas.addEventListener("pointerdown", function (event) {
      self.penDown(event);
    });
    canvas.addEventListener("pointermove", function (event) {
      self.penMove(event);
    });
    canvas.addEventListener("pointerup", function () {
      self.penUp();
    });
    canvas.addEventListener("pointercancel", function () {
      self.penUp();
    });
  };

  /* Lies exactly over the page image, at the screen's pixel density. */
  Annotations.prototype.placeCanvas = function () {
    var img = byId("doc-page");
    var canvas = this.canvas;
    var shown = !!this.page && img.offsetWidth > 0;
    Mendan.show(canvas, shown);
    if (!shown) {
      return;
    }
    canvas.style.left = img.offsetLeft + "px";
    canvas.style.top = img.offsetTop + "px";
    canvas.style.width = img.offsetWidth + "px";
    canvas.style.height = img.offsetHeight + "px";
    var ratio = window.devicePixelRatio || 1;
    var width = Math.round(img.offsetWidth * ratio);
    var height = Math.round(img.offsetHeight * ratio);
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    this.redraw();
  };

  Annotations.prototype.redraw = function () {
    var ctx = this.canvas.getContext("2d");
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    for (var i = 0; i < this.pieces.length; i++) {
      this.paint(this.pieces[i].stroke);
    }
  };

  Annotations.prototype.paint = function (stroke) {
    var canvas = this.canvas;
    var ctx = canvas.getContext("2d");
    var points = stroke.points;
    ctx.save();
    ctx.globalCompositeOperation = stroke.tool === "eraser" ? "destination-out" : "source-over";
    ctx.globalAlpha = stroke.tool === "highlighter" ? HIGHLIGHTER_ALPHA : 1;
    ctx.strokeStyle = stroke.color;
    ctx.lineWidth = Math.max(1, (stroke.width / 1000) * canvas.width);
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(points[0][0] * canvas.width, points[0][1] * canvas.height);
    for (var i = 1; i < points.length; i++) {
      ctx.lineTo(points[i][0] * canvas.width, points[i][1] * canvas.height);
    }
    if (points.length === 1) {
      ctx.lineTo(points[0][0] * canvas.width + 0.01, points[0][1] * canvas.height); // a dot
    }
    ctx.stroke();
    ctx.restore();
  };

  // ---- drawing here -------------------------------------------------------------------------------

  Annotations.prototype.mayDraw = function () {
    return this.room.isHost() || this.allowed;
  };

  Annotations.prototype.setDrawing = function (on) {
    this.drawing = on && !!this.page && this.mayDraw();
    if (!this.drawing) {
      this.penUp();
    }
    this.renderBar();
  };

  Annotations.prototype.pointAt = function (event) {
    var box = this.canvas.getBoundingClientRect();
    var x = (event.clientX - box.left) / box.width;
    var y = (event.clientY - box.top) / box.height;
    return [Math.min(1, Math.max(0, x)), Math.min(1, Math.max(0, y))];
  };

  Annotations.prototype.penDown = function (event) {
    if (!this.drawing || !this.page) {
      return;
    }
    event.preventDefault();
    if (this.canvas.setPointerCapture) {
      this.canvas.setPointerCapture(event.pointerId);
    }
    this.stroke = { id: newStrokeId(), tool: this.tool, color: this.color, pending: [this.pointAt(event)], last: null };
    this.flush();
  };

  Annotations.prototype.penMove = function (event) {
    var self = this;
    if (!this.stroke) {
      return;
    }
    this.stroke.pending.push(this.pointAt(event));
    if (this.stroke.pending.length >= MAX_POINTS - 1) {
      this.flush();
    } else if (!this.flushTimer) {
      this.flushTimer = window.setTimeout(function () {
        self.flushTimer = null;
        self.flush();
      }, PIECE_MS);
    }
  };

  Annotations.prototype.penUp = function () {
    if (this.stroke) {
      this.flush();
      this.stroke = null;
    }
  };

  /* Sends what was drawn since the last piece, joined to it by the last point already sent. */
  Annotations.prototype.flush = function () {
    var stroke = this.stroke;
    if (this.flushTimer) {
      window.clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    if (!stroke || !stroke.pending.length || !this.page) {
      return;
    }
    var points = (stroke.last ? [stroke.last] : []).concat(stroke.pending);
    stroke.last = stroke.pending[stroke.pending.length - 1];
    stroke.pending = [];
    var piece = { stroke_id: stroke.id, tool: stroke.tool, color: stroke.color, width: WIDTHS[stroke.tool], points: points };
    var drawn = { show_id: this.page.show_id, page: this.page.page, participant_id: this.room.selfId, stroke: piece };
    this.pieces.push(drawn);
    this.paint(piece);
    this.send({ type: P.types.draw_stroke, show_id: drawn.show_id, page: drawn.page, stroke: piece });
  };

  Annotations.prototype.request = function (type) {
    if (this.page) {
      this.send({ type: type, show_id: this.page.show_id, page: this.page.page });
    }
  };

  Annotations.prototype.send = function (message) {
    var self = this;
    this.room.signaling.request(message, function (error, reply) {
      if (error) {
        self.room.notify(reply && reply.error && reply.error.message ? reply.error.message : Mendan.errorText(error));
      }
    });
  };

  // ---- the toolbar ----------------------------------------------------------------------------------

  Annotations.prototype.renderBar = function () {
    var host = this.room.isHost();
    var may = this.mayDraw();
    Mendan.show(byId("annotate-bar"), !!this.page);
    var toggle = byId("annotate-toggle");
    toggle.disabled = !may;
    toggle.setAttribute("aria-pressed", String(this.drawing));
    toggle.className = "button small" + (this.drawing ? " primary" : "");
    if (may) {
      toggle.removeAttribute("title");
    } else {
      toggle.setAttribute("title", t("room.annotate.not_allowed"));
    }
    Mendan.show(byId("annotate-tools"), this.drawing);
    Mendan.show(byId("annotate-clear"), host);
    Mendan.show(byId("annotate-allow-box"), host);
    byId("annotate-allow").checked = this.allowed;
    this.canvas.className = "annotation-layer" + (this.drawing ? " drawing" : "");
  };

  // ---- the recording --------------------------------------------------------------------------------

  /* The strokes over the page where documents.js draws it in the recording. */
  function drawStrokes(ctx, width, height) {
    var img = byId("doc-page");
    if (!active || !active.page || !active.pieces.length || !img.complete || !img.naturalWidth) {
      return;
    }
    var areaWidth = Math.round(width * RECORDED_PAGE_WIDTH);
    var scale = Math.min(areaWidth / img.naturalWidth, height / img.naturalHeight);
    var w = img.naturalWidth * scale;
    var h = img.naturalHeight * scale;
    ctx.drawImage(active.canvas, (areaWidth - w) / 2, (height - h) / 2, w, h);
  }

  Mendan.Room.use(function (room) {
    active = new Annotations(room);
    active.start();
    if (Mendan.Recorder && Mendan.Recorder.layers.indexOf(drawStrokes) < 0) {
      Mendan.Recorder.layers.push(drawStrokes);
    }
  });
})(Mendan, MendanProtocol);
