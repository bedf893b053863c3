// An access link's landing page: the link's secret is the address's fragment (never sent to
// the server, so in no log); copy it into the form, then drop it from the address bar and the
// history. Without a fragment the link is incomplete: say so and disable the button.
(function () {
  "use strict";

  function start() {
    var field = document.getElementById("link-secret");
    var button = document.getElementById("link-open");
    if (!field || !button) { return; }
    var secret = window.location.hash.replace(/^#/, "");
    if (secret) {
      field.value = secret;
      history.replaceState(null, "", window.location.pathname);
    } else {
      button.disabled = true;
      document.getElementById("link-incomplete").hidden = false;
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
