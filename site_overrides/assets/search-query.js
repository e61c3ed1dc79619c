/* Material's search reads a leading "-" as "exclude this term", so "-116" or "K0517 -116" would find
   nothing. Error codes are written with such dashes (K0517 (-116)): drop a dash that stands before a
   digit, before the search sees the query. Runs in the capture phase, ahead of Material's listener. */
(function () {
  "use strict";
  var DASH_BEFORE_DIGIT = /(^|[\s(\/])[-\u2013](?=\d)/g;
  window.addEventListener("input", function (event) {
    var field = event.target;
    if (!field || !field.matches || !field.matches("[data-md-component=search-query]")) return;
    var fixed = field.value.replace(DASH_BEFORE_DIGIT, "$1");
    if (fixed !== field.value) {
      var caret = field.selectionStart - (field.value.length - fixed.length);
      field.value = fixed;
      field.setSelectionRange(caret, caret);
    }
  }, true);
})();
