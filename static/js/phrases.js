// 常用意见: a phrase button puts its text into the comment box it names (appended after what was typed).
(function () {
  if (window.phrasesBound) return;
  window.phrasesBound = true;
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-phrase]");
    if (!button) return;
    event.preventDefault();
    var box = document.getElementById(button.getAttribute("data-phrase-target"));
    if (!box) return;
    var text = button.getAttribute("data-phrase");
    box.value = box.value.trim() ? box.value.trim() + "\n" + text : text;
    box.focus();
  });
})();
