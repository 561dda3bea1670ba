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
    secure_context: function () {
      // false on http:// beyond localhost; browsers too old to say (IE11) are not blocked by it
      return window.isSecureContext !== false;
    },
    display_capture: function () {
      return !!(navigator.mediaDevices && navigator.mediaDevices.getDisplayMedia);
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

  /* The missing capability that alone explains why ``feature`` is unavailable (the page is not on
     HTTPS), or "" — as compat.matrix.reason decides it. */
  function decisiveMissing(feature) {
    var ways = Compat.features[feature].ways;
    for (var capability in Compat.decisive) {
      if (!Compat.decisive.hasOwnProperty(capability) || Mendan.capabilities[capability]) {
        continue;
      }
      var inEvery = true;
      for (var w = 0; w < ways.length; w++) {
        inEvery = inEvery && ways[w].indexOf(capability) >= 0;
      }
      if (inEvery) {
        return capability;
      }
    }
    return "";
  }

  /* The catalogue text saying why a feature is unavailable here, or "" when it works. */
  Mendan.unavailableReason = function (feature) {
    if (Mendan.features[feature]) {
      return "";
    }
    var decisive = decisiveMissing(feature);
    return Mendan.t(decisive ? Compat.decisive[decisive] : Compat.features[feature].reason);
  };

  /* Whether another browser or the Mendan bridge would give ``feature``: not when the page's origin
     is what blocks it. */
  Mendan.browserCouldHelp = function (feature) {
    return !Mendan.features[feature] && !decisiveMissing(feature);
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
