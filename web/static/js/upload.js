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
   * Sends form (FormData, or null for a GET). options: method, url, headers, onProgress(percent).
   * callback(errorText, data): errorText is the server's own message (placeholders filled there),
   * or the catalogue's when the server gave none.
   */
  function send(form, options, callback) {
    var xhr = new XMLHttpRequest();
    xhr.open(options.method || "POST", options.url, true);
    var headers = options.headers || {};
    for (var name in headers) {
      if (headers.hasOwnProperty(name)) {
        xhr.setRequestHeader(name, headers[name]);
      }
    }
    if (xhr.upload && options.onProgress) {
      xhr.upload.onprogress = function (event) {
        if (event.lengthComputable && event.total > 0) {
          options.onProgress(Math.min(100, Math.floor((event.loaded * 100) / event.total)));
        }
      };
    }
    Mendan.whenAnswered(xhr, withMessage(callback));
    xhr.send(form);
  }

  function messageOf(data) {
    if (data && data.error) {
      return data.error.message || Mendan.errorText(data.error.code);
    }
    return Mendan.errorText("internal");
  }

  /* callback(errorText, data) from whenAnswered's (errorCode, data): the server's own message,
   * as some carry values it filled in (sizes, limits). */
  function withMessage(callback) {
    return function (code, data) {
      callback(code ? (code === "network" ? Mendan.errorText("network") : messageOf(data)) : null, data);
    };
  }

  /* JSON GET with extra headers (the meeting ticket); callback(errorText, data). */
  function getJson(url, headers, callback) {
    send(null, { method: "GET", url: url, headers: headers }, callback);
  }

  Mendan.upload = { checkFile: checkFile, send: send, getJson: getJson, messageOf: messageOf, types: config.types };
})(Mendan);
