"use strict";
/* Printing shows everything: every toggle opens before the print dialog. */
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details").forEach(function (d) { d.open = true; });
});
/* Side by side: align any two articles of a story, sentence to sentence. Article text is
   only ever set with textContent, never parsed as HTML. */
document.querySelectorAll(".sbs").forEach(function (box) {
  var data = JSON.parse(box.querySelector("script[type='application/json']").textContent);
  var left = box.querySelector("select.left");
  var right = box.querySelector("select.right");
  var body = box.querySelector("tbody");
  function find(id) { return data.articles.filter(function (a) { return a.id === id; })[0]; }
  function pairs(l, r) {
    var m = {};
    data.reuse.forEach(function (u) {
      if (u.derived === l && u.source === r) { u.pairs.forEach(function (p) { m[p[0]] = [p[1], p[2]]; }); }
      else if (u.derived === r && u.source === l) { u.pairs.forEach(function (p) { m[p[1]] = [p[0], p[2]]; }); }
    });
    return m;
  }
  function cell(tr, text, kind) {
    var td = document.createElement("td");
    if (text !== null) {
      if (kind) { var mk = document.createElement("mark"); mk.className = kind; mk.textContent = text; td.appendChild(mk); }
      else { td.textContent = text; }
    }
    tr.appendChild(td);
  }
  function row(a, b, kind) {
    var tr = document.createElement("tr");
    cell(tr, a, kind); cell(tr, b, kind);
    var k = document.createElement("td"); k.className = "k"; k.textContent = kind || ""; tr.appendChild(k);
    body.appendChild(tr);
  }
  function render() {
    var A = find(left.value), B = find(right.value), m = pairs(A.id, B.id), next = 0;
    body.textContent = "";
    A.sentences.forEach(function (s, i) {
      if (Object.prototype.hasOwnProperty.call(m, i)) {
        var j = m[i][0];
        for (; next < j; next++) { row(null, B.sentences[next], null); }
        row(s, B.sentences[j], m[i][1]);
        next = Math.max(next, j + 1);
      } else { row(s, null, null); }
    });
    for (; next < B.sentences.length; next++) { row(null, B.sentences[next], null); }
    box.querySelector(".lh").textContent = A.label;
    box.querySelector(".rh").textContent = B.label;
  }
  left.addEventListener("change", render);
  right.addEventListener("change", render);
  box.querySelector("form").hidden = false;
});
