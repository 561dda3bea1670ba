/* The minutes page: 印刷する opens the browser's print dialog (its PDF printer files a PDF). */
(function (Mendan) {
  "use strict";

  Mendan.byId("minutes-print").onclick = function () {
    window.print();
  };
})(Mendan);
