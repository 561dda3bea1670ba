/*
 * Mendan embed for a contract's own web site:
 *   <script src="https://MENDAN/embed.js" data-mendan="KEY" async></script>
 * adds a 「商談を始める」 button that opens the contract's number flow in a small panel.
 * Runs on other people's pages in any browser: ES5 syntax, no globals but one, no dependencies.
 */
(function () {
  "use strict";

  var scripts = document.getElementsByTagName("script");
  var me = null;
  for (var i = scripts.length - 1; i >= 0; i--) {
    if (scripts[i].getAttribute("data-mendan") && /\/embed\.js(\?|$)/.test(scripts[i].src)) {
      me = scripts[i];
      break;
    }
  }
  if (!me || window.MendanEmbedLoaded) {
    return;
  }
  window.MendanEmbedLoaded = true;
  var origin = me.src.replace(/\/embed\.js.*$/, "");
  var key = me.getAttribute("data-mendan");
  var label = me.getAttribute("data-label") || "\u5546\u8ac7\u3092\u59cb\u3081\u308b";
  var startUrl = origin + "/c/" + encodeURIComponent(key);

  function style(node, rules) {
    for (var name in rules) {
      if (rules.hasOwnProperty(name)) {
        node.style[name] = rules[name];
      }
    }
  }

  var button = document.createElement("button");
  button.type = "button";
  button.setAttribute("data-testid", "embed-open");
  button.appendChild(document.createTextNode(label));
  style(button, {
    position: "fixed", right: "20px", bottom: "20px", zIndex: "2147483000", padding: "14px 26px",
    border: "0", borderRadius: "28px", background: "#1d5fa7", color: "#fff", fontSize: "16px",
    fontWeight: "700", cursor: "pointer", boxShadow: "0 4px 14px rgba(0,0,0,0.25)"
  });

  var panel = null;
  function close() {
    if (panel) {
      panel.parentNode.removeChild(panel);
      panel = null;
    }
    button.style.display = "";
  }

  function open() {
    var wide = window.innerWidth > 520;
    panel = document.createElement("div");
    panel.setAttribute("data-testid", "embed-panel");
    style(panel, {
      position: "fixed", zIndex: "2147483001", background: "#fff", boxShadow: "0 8px 30px rgba(0,0,0,0.3)",
      borderRadius: wide ? "12px" : "0", overflow: "hidden",
      right: wide ? "20px" : "0", bottom: wide ? "20px" : "0",
      width: wide ? "420px" : "100%", height: wide ? "640px" : "100%"
    });
    var bar = document.createElement("div");
    style(bar, { display: "flex", justifyContent: "flex-end", gap: "12px", padding: "6px 10px", background: "#f3f6f9", fontSize: "13px" });
    var large = document.createElement("a");
    large.href = startUrl;
    large.target = "_blank";
    large.rel = "noopener";
    large.appendChild(document.createTextNode("\u5927\u304d\u306a\u753b\u9762\u3067\u958b\u304f"));
    var shut = document.createElement("button");
    shut.type = "button";
    shut.setAttribute("aria-label", "\u9589\u3058\u308b");
    shut.appendChild(document.createTextNode("\u00d7"));
    style(shut, { border: "0", background: "transparent", fontSize: "18px", cursor: "pointer" });
    shut.onclick = close;
    bar.appendChild(large);
    bar.appendChild(shut);
    var frame = document.createElement("iframe");
    frame.src = startUrl + "?panel=1";
    frame.title = label;
    frame.setAttribute("allow", "camera; microphone; autoplay; clipboard-write");
    style(frame, { border: "0", width: "100%", height: "calc(100% - 36px)" });
    panel.appendChild(bar);
    panel.appendChild(frame);
    document.body.appendChild(panel);
    button.style.display = "none";
  }

  button.onclick = open;
  function mount() {
    document.body.appendChild(button);
  }
  if (document.body) {
    mount();
  } else {
    document.addEventListener("DOMContentLoaded", mount);
  }
})();
