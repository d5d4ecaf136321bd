// The embeddable timeline refreshes itself: every data-refresh-seconds it asks for the page again
// with the ETag it holds (If-None-Match). While nothing changed the server answers 304 with no
// body; otherwise the new entries replace the old ones and a status line says when.
(function () {
  "use strict";
  var root = document.getElementById("embed");
  if (!root || !window.fetch || !window.DOMParser) { return; }
  var seconds = parseInt(root.getAttribute("data-refresh-seconds"), 10) || 60;
  var status = root.querySelector(".status");

  function refresh() {
    var headers = {};
    var etag = root.getAttribute("data-etag");
    if (etag) { headers["If-None-Match"] = etag; }
    // "no-store": the browser adds no validator of its own and hands a 304 to this script.
    return fetch(window.location.href, { headers: headers, cache: "no-store", credentials: "omit" })
      .then(function (response) {
        if (response.status !== 200) { return; }
        var newEtag = response.headers.get("ETag");
        return response.text().then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var entries = page.getElementById("embed-entries");
          if (!entries) { return; }
          document.getElementById("embed-entries").replaceWith(document.adoptNode(entries));
          if (newEtag) { root.setAttribute("data-etag", newEtag); }
          status.textContent = "Updated at " + new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) + ".";
        });
      })
      .catch(function () { /* offline for now: try again at the next tick */ });
  }

  window.setInterval(refresh, seconds * 1000);
}());
