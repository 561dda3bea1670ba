/*
 * When the Mendan bridge's extension is there but its handshake with the native host failed, say
 * which item of `mendan-bridge doctor` to check, instead of the generic "no WebRTC" text: the
 * person (or their IT) has installed something and needs to know what is wrong with it.
 * Fills every .bridge-trouble element and hides every .bridge-generic one. ES5 only.
 */
(function (Mendan) {
  "use strict";

  var KNOWN = ["bridge_unavailable", "bridge_timeout", "origin_not_allowed", "caller_not_allowed"];

  /* The catalogue text for the handshake's failure, or "" when there is none to explain. */
  Mendan.bridgeTrouble = function () {
    var bridge = Mendan.bridge;
    if (!bridge || !bridge.present || Mendan.bridgeReady || !bridge.error) {
      return "";
    }
    var code = KNOWN.indexOf(bridge.error) >= 0 ? bridge.error : "other";
    return Mendan.t("bridge.trouble." + code, { code: bridge.error, origin: window.location.origin });
  };

  function update() {
    var trouble = Mendan.bridgeTrouble();
    var i;
    var shown = document.querySelectorAll(".bridge-trouble");
    for (i = 0; i < shown.length; i++) {
      Mendan.setText(shown[i], trouble);
      Mendan.show(shown[i], !!trouble);
    }
    var generic = document.querySelectorAll(".bridge-generic");
    for (i = 0; i < generic.length; i++) {
      Mendan.show(generic[i], !trouble);
    }
  }

  // The handshake can finish while the browser still fetches this file (the extension answers in a
  // few milliseconds): show what is already known, then follow changes.
  update();
  Mendan.onCapabilityChange(update);
})(Mendan);
