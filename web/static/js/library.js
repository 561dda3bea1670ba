/*
 * The rep's document library (資料) on /rep: upload with progress, the list with render state
 * (refreshed until ready or failed), 「ファイルを共有する」, memo, edit, replace, delete. ES5 only.
 */
(function (Mendan) {
  "use strict";

  var t = Mendan.t;
  var byId = Mendan.byId;
  var POLL_MS = 1000;
  var items = {};
  var polling = {};

  var el = Mendan.el;

  function button(label, className) {
    var node = el("button", "button small" + (className ? " " + className : ""), label);
    node.type = "button";
    return node;
  }

  function serverMessage(code, data) {
    return Mendan.replyError(code, data);
  }

  // ---- upload --------------------------------------------------------------------------------

  function setProgress(box, bar, label, percent) {
    Mendan.show(box, percent !== null);
    if (percent !== null) {
      bar.value = percent;
      label.textContent = t("library.uploading", { percent: percent });
    }
  }

  function upload(event) {
    event.preventDefault();
    var title = byId("doc-upload-title");
    var fileInput = byId("doc-upload-file");
    var error = byId("doc-upload-error");
    var submit = byId("doc-upload-submit");
    var file = fileInput.files && fileInput.files[0];
    error.textContent = "";
    // The same checks as the server's (which has the last word), said before any byte is sent.
    if (!title.value.replace(/\s+/g, "")) {
      error.textContent = t("error.document_title_required");
      title.focus();
      return;
    }
    var problem = Mendan.upload.checkFile(file);
    if (problem) {
      error.textContent = problem;
      fileInput.focus();
      return;
    }
    var form = new FormData();
    form.append("title", title.value);
    form.append("memo", byId("doc-upload-memo").value);
    form.append("shareable", byId("doc-upload-shareable").checked ? "1" : "0");
    form.append("file", file);
    var box = byId("doc-upload-progress");
    var bar = byId("doc-upload-bar");
    var label = byId("doc-upload-percent");
    submit.disabled = true;
    setProgress(box, bar, label, 0);
    Mendan.upload.send(
      form,
      {
        method: "POST",
        url: "/api/documents",
        onProgress: function (percent) {
          setProgress(box, bar, label, percent);
        }
      },
      function (problemText, data) {
        submit.disabled = false;
        setProgress(box, bar, label, null);
        if (problemText) {
          error.textContent = problemText;
          return;
        }
        byId("doc-upload-form").reset();
        error.textContent = "";
        put(data.document, true);
      }
    );
  }

  // ---- the list ------------------------------------------------------------------------------

  function load() {
    Mendan.request("GET", "/api/documents", null, function (code, data) {
      if (code) {
        byId("doc-upload-error").textContent = serverMessage(code, data);
        return;
      }
      for (var i = data.documents.length - 1; i >= 0; i--) {
        put(data.documents[i], true);
      }
      renderEmpty();
    });
  }

  function renderEmpty() {
    Mendan.show(byId("doc-empty"), Object.keys(items).length === 0);
  }

  /* Shows a document (new or changed); atTop puts a new one first, as the server lists them. */
  function put(document_, atTop) {
    var entry = items[document_.id];
    if (!entry) {
      entry = build(document_);
      items[document_.id] = entry;
      var list = byId("doc-list");
      if (atTop && list.firstChild) {
        list.insertBefore(entry.root, list.firstChild);
      } else {
        list.appendChild(entry.root);
      }
    }
    entry.doc = document_;
    paint(entry);
    renderEmpty();
    var state = document_.render.state;
    if ((state === "pending" || state === "rendering") && !polling[document_.id]) {
      poll(document_.id);
    }
  }

  function poll(id) {
    polling[id] = window.setTimeout(function () {
      Mendan.request("GET", "/api/documents/" + encodeURIComponent(id), null, function (code, data) {
        delete polling[id];
        if (!items[id]) {
          return; // deleted meanwhile
        }
        if (code) {
          poll(id); // a passing network problem: ask again
          return;
        }
        put(data.document, false);
      });
    }, POLL_MS);
  }

  function build(doc) {
    var root = el("li", "doc-item");
    root.setAttribute("data-testid", "doc-item");
    root.setAttribute("data-document-id", doc.id);
    var thumb = el("div", "doc-thumb");
    var main = el("div", "doc-main");
    var title = el("div", "doc-title");
    var meta = el("div", "doc-meta");
    var kind = el("span", "doc-kind");
    var pages = el("span", "doc-pages");
    var state = el("span", "doc-state");
    state.setAttribute("data-testid", "doc-state");
    meta.appendChild(kind);
    meta.appendChild(pages);
    meta.appendChild(state);
    var failure = el("p", "doc-failure");
    var share = el("label", "choice switch");
    var shareBox = document.createElement("input");
    shareBox.type = "checkbox";
    shareBox.className = "doc-shareable";
    shareBox.setAttribute("data-testid", "doc-shareable");
    share.appendChild(shareBox);
    share.appendChild(document.createTextNode(" " + t("library.shareable")));
    var actions = el("div", "doc-actions");
    var edit = button(t("library.edit"));
    var replace = button(t("library.replace"));
    var remove = button(t("library.delete"), "danger-text");
    var replaceInput = document.createElement("input");
    replaceInput.type = "file";
    replaceInput.accept = Mendan.upload.types.join(",");
    replaceInput.hidden = true;
    replaceInput.setAttribute("data-testid", "doc-replace-file");
    actions.appendChild(edit);
    actions.appendChild(replace);
    actions.appendChild(remove);
    actions.appendChild(replaceInput);
    var progress = el("div", "upload-progress");
    var bar = document.createElement("progress");
    bar.max = 100;
    var percent = el("span");
    progress.appendChild(bar);
    progress.appendChild(percent);
    Mendan.show(progress, false);
    var editor = el("div", "doc-edit");
    Mendan.show(editor, false);
    var error = el("p", "error doc-item-error");
    error.setAttribute("role", "alert");
    main.appendChild(title);
    main.appendChild(meta);
    main.appendChild(failure);
    main.appendChild(share);
    main.appendChild(actions);
    main.appendChild(progress);
    main.appendChild(editor);
    main.appendChild(error);
    root.appendChild(thumb);
    root.appendChild(main);
    var entry = {
      root: root,
      thumb: thumb,
      title: title,
      kind: kind,
      pages: pages,
      state: state,
      failure: failure,
      shareBox: shareBox,
      editor: editor,
      error: error,
      doc: doc
    };
    shareBox.onchange = function () {
      change(entry, { shareable: shareBox.checked });
    };
    edit.onclick = function () {
      openEditor(entry);
    };
    replace.onclick = function () {
      replaceInput.click();
    };
    replaceInput.onchange = function () {
      replaceFile(entry, replaceInput, progress, bar, percent);
    };
    remove.onclick = function () {
      if (window.confirm(t("library.delete_confirm", { title: entry.doc.title }))) {
        removeDocument(entry);
      }
    };
    return entry;
  }

  function paint(entry) {
    var doc = entry.doc;
    entry.root.setAttribute("data-state", doc.render.state);
    entry.title.textContent = doc.title;
    entry.kind.textContent = doc.kind.toUpperCase();
    entry.pages.textContent = doc.page_count ? t("library.pages", { count: doc.page_count }) : "";
    entry.state.textContent = doc.render.label;
    entry.state.className = "doc-state state-" + doc.render.state;
    entry.failure.textContent = doc.render.failure ? doc.render.failure.message : "";
    Mendan.show(entry.failure, !!doc.render.failure);
    entry.shareBox.checked = !!doc.shareable;
    entry.thumb.innerHTML = "";
    if (doc.thumbnail_url) {
      var img = document.createElement("img");
      img.alt = "";
      img.src = doc.thumbnail_url;
      entry.thumb.appendChild(img);
    } else {
      entry.thumb.appendChild(el("span", "doc-thumb-kind", doc.kind.toUpperCase()));
    }
  }

  function change(entry, changes, done) {
    entry.error.textContent = "";
    Mendan.request("PATCH", "/api/documents/" + encodeURIComponent(entry.doc.id), changes, function (code, data) {
      if (code) {
        entry.error.textContent = serverMessage(code, data);
        paint(entry); // back to what the server has
        return;
      }
      put(data.document, false);
      if (done) {
        done();
      }
    });
  }

  function openEditor(entry) {
    var editor = entry.editor;
    entry.error.textContent = "";
    Mendan.request("GET", "/api/documents/" + encodeURIComponent(entry.doc.id), null, function (code, data) {
      if (code) {
        entry.error.textContent = serverMessage(code, data);
        return;
      }
      editor.innerHTML = "";
      var titleLabel = el("label", "", t("library.title_label"));
      var title = document.createElement("input");
      title.value = data.document.title;
      title.maxLength = 200;
      title.setAttribute("data-testid", "doc-edit-title");
      var memoLabel = el("label", "", t("library.memo_label"));
      var memo = document.createElement("textarea");
      memo.rows = 4;
      memo.value = data.document.memo || "";
      memo.setAttribute("data-testid", "doc-edit-memo");
      var save = button(t("library.save"), "primary");
      save.setAttribute("data-testid", "doc-edit-save");
      var cancel = button(t("library.cancel"));
      editor.appendChild(titleLabel);
      editor.appendChild(title);
      editor.appendChild(memoLabel);
      editor.appendChild(memo);
      var row = el("div", "doc-actions");
      row.appendChild(save);
      row.appendChild(cancel);
      editor.appendChild(row);
      Mendan.show(editor, true);
      title.focus();
      save.onclick = function () {
        if (!title.value.replace(/\s+/g, "")) {
          entry.error.textContent = t("error.document_title_required");
          return;
        }
        change(entry, { title: title.value, memo: memo.value }, function () {
          Mendan.show(editor, false);
        });
      };
      cancel.onclick = function () {
        Mendan.show(editor, false);
      };
    });
  }

  function replaceFile(entry, input, progress, bar, percent) {
    var file = input.files && input.files[0];
    entry.error.textContent = "";
    var problem = Mendan.upload.checkFile(file);
    if (problem) {
      entry.error.textContent = problem;
      input.value = "";
      return;
    }
    var form = new FormData();
    form.append("file", file);
    setProgress(progress, bar, percent, 0);
    Mendan.upload.send(
      form,
      {
        method: "PUT",
        url: "/api/documents/" + encodeURIComponent(entry.doc.id) + "/file",
        onProgress: function (value) {
          setProgress(progress, bar, percent, value);
        }
      },
      function (problemText, data) {
        setProgress(progress, bar, percent, null);
        input.value = "";
        if (problemText) {
          entry.error.textContent = problemText;
          return;
        }
        put(data.document, false);
      }
    );
  }

  function removeDocument(entry) {
    var id = entry.doc.id;
    Mendan.request("DELETE", "/api/documents/" + encodeURIComponent(id), null, function (code, data) {
      if (code) {
        entry.error.textContent = serverMessage(code, data);
        return;
      }
      entry.root.parentNode.removeChild(entry.root);
      delete items[id];
      renderEmpty();
    });
  }

  if (byId("doc-upload-form")) {
    byId("doc-upload-form").onsubmit = upload;
    load();
  }
})(Mendan);
