/*
 * File uploads with progress (XMLHttpRequest upload events) and the server's error message, shared
 * by the document library and 資料共有 in the room. ES5 syntax only.
 */
(function (Mendan) {
  "use strict";

  var config = Mendan.config.documents || { types: [], max_bytes: 0 };

  function extensionOf(name) {
    var dot = name.lastIndexOf(".");
    return dot < 0 ? "" : name.slice(dot).toLowerCase();
  }

  /* A catalogue message when the file cannot be sent at all; null when the server may judge it. */
  function checkFile(file) {
    if (!file) {
      return Mendan.t("error.document_file_required");
    }
    if (config.types.indexOf(extensionOf(file.name)) < 0) {
      return Mendan.t("error.document_type_not_allowed");
    }
    if (config.max_bytes && file.size > config.max_bytes) {
      return Mendan.t("error.document_too_large", { max_mb: Math.floor(config.max_bytes / 1048576) });
    }
    return null;
  }

  /*
   * Sends form (FormData, or null for a GET) through Mendan.http. options: method, url, headers,
   * onProgress(percent). callback(errorText, data): errorText is the catalogue's text for the
   * server's code and values, or null on success.
   */
  function send(form, options, callback) {
    var request = { method: options.method || "POST", url: options.url, body: form, headers: options.headers, onProgress: options.onProgress };
    Mendan.http(request, function (code, data) {
      callback(code ? Mendan.replyError(code, data) : null, data);
    });
  }

  /* JSON GET with extra headers (the meeting ticket); callback(errorText, data). */
  function getJson(url, headers, callback) {
    send(null, { method: "GET", url: url, headers: headers }, callback);
  }

  Mendan.upload = { checkFile: checkFile, send: send, getJson: getJson, types: config.types };
})(Mendan);
