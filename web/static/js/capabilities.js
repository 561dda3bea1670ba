/*
 * Capability detection and the features it allows, by the rules in compat.js (generated from
 * compat/matrix.py). Feature-detect only; never the user agent. ES5 syntax only.
 */
(function (Mendan, Compat) {
  "use strict";

  var detectors = {
    xhr: function () {
      return typeof window.XMLHttpRequest !== "undefined";
    },
    websocket: function () {
      return typeof window.WebSocket !== "undefined";
    },
    peer_connection: function () {
      return typeof window.RTCPeerConnection === "function";
    },
    get_user_media: function () {
      return !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
    },
    media_recorder: function () {
      return typeof window.MediaRecorder === "function";
    },
    canvas_capture: function () {
      var canvas = document.createElement("canvas");
      return typeof canvas.captureStream === "function";
    },
    web_audio: function () {
      return !!(window.AudioContext || window.webkitAudioContext);
    },
    file_upload: function () {
      return typeof window.FormData !== "undefined" && typeof window.File !== "undefined";
    },
    bridge: function () {
      // Set by bridge.js once the extension answered and its host accepted this origin.
      return Mendan.bridgeReady === true;
    }
  };

  function detect() {
    var found = {};
    for (var i = 0; i < Compat.capabilities.length; i++) {
      var name = Compat.capabilities[i];
      var detector = detectors[name];
      try {
        found[name] = !!(detector && detector());
      } catch (ignored) {
        found[name] = false; // a detector that throws means the capability is not usable
      }
    }
    return found;
  }

  function allowed(capabilities) {
    var features = {};
    for (var feature in Compat.features) {
      if (!Compat.features.hasOwnProperty(feature)) {
        continue;
      }
      var ways = Compat.features[feature].ways;
      features[feature] = false;
      for (var w = 0; w < ways.length; w++) {
        var all = true;
        for (var c = 0; c < ways[w].length; c++) {
          all = all && !!capabilities[ways[w][c]];
        }
        features[feature] = features[feature] || all;
      }
    }
    return features;
  }

  Mendan.capabilities = detect();
  Mendan.features = allowed(Mendan.capabilities);
  Mendan.detectors = detectors;

  /* The catalogue text saying why a feature is unavailable here, or "" when it works. */
  Mendan.unavailableReason = function (feature) {
    return Mendan.features[feature] ? "" : Mendan.t(Compat.features[feature].reason);
  };

  /* Disable a control for a feature this browser lacks, with the reason next to it and as its title. */
  Mendan.requireFeature = function (node, feature) {
    var reason = Mendan.unavailableReason(feature);
    if (!node) {
      return !reason;
    }
    if (!reason) {
      if (node.getAttribute("data-unavailable") === feature) {
        node.disabled = false; // it became available (the bridge answered)
        node.removeAttribute("title");
        node.removeAttribute("aria-disabled");
        node.removeAttribute("data-unavailable");
      }
      return true;
    }
    node.disabled = true;
    node.setAttribute("title", reason);
    node.setAttribute("aria-disabled", "true");
    node.setAttribute("data-unavailable", feature);
    return false;
  };

  var changeListeners = [];

  /* Call listener whenever detection changes its mind (the bridge answers after page load). */
  Mendan.onCapabilityChange = function (listener) {
    changeListeners.push(listener);
  };

  Mendan.recheckCapabilities = function () {
    Mendan.capabilities = detect();
    Mendan.features = allowed(Mendan.capabilities);
    for (var i = 0; i < changeListeners.length; i++) {
      changeListeners[i]();
    }
  };
})(Mendan, MendanCompat);
