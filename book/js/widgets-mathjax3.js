// The widget manager (@jupyter-widgets/html-manager 1.x) typesets widget labels
// with MathJax 2's API, MathJax.Hub.Queue(["Typeset", MathJax.Hub, element]).
// The book loads MathJax 3, which has no Hub: give it one that forwards to
// MathJax 3's typesetPromise, so labels such as "$\eta$" render and nothing throws.
(function () {
  function install() {
    var mj = window.MathJax;
    if (!mj || mj.Hub || !mj.version || mj.version.charAt(0) !== "3") return;
    mj.Hub = {
      Queue: function () {
        Array.prototype.forEach.call(arguments, function (job) {
          if (!Array.isArray(job) || job[0] !== "Typeset") return;
          var elements = job[2] ? [job[2]] : undefined;
          mj.startup.promise.then(function () { return mj.typesetPromise(elements); });
        });
      },
    };
  }
  install();
  document.addEventListener("DOMContentLoaded", install);
})();
