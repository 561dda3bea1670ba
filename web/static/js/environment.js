/* 動作環境: fill the "your browser" row from this browser's own detection. ES5 syntax only. */
(function (Mendan) {
  "use strict";
  var cells = document.getElementById("this-browser").getElementsByTagName("td");
  for (var i = 0; i < cells.length; i++) {
    var works = Mendan.features[cells[i].getAttribute("data-feature")];
    cells[i].className = works ? "yes" : "no";
    cells[i].textContent = Mendan.t(works ? "environment.yes" : "environment.no");
  }
})(Mendan);
