// The share page (/share/:token). Server-rendered; this adds Print (the PDF when the browser has a
// viewer, else the page images), the PDF viewer toggle and tap-to-zoom. Downloads are plain links (the
// server records them); prints are recorded with a POST before the dialog opens.
const body = document.body;
const base = body.dataset.shareBase;

if (base) {
  const pages = document.getElementById("ck-share-pages");
  const frame = document.getElementById("ck-share-pdf");
  const viewToggle = document.getElementById("ck-share-view");
  const printButton = document.getElementById("ck-share-print");
  const hasViewer = navigator.pdfViewerEnabled === true;

  for (const image of pages.querySelectorAll("img")) {
    const loaded = () => image.setAttribute("data-loaded", "");
    if (image.complete && image.naturalWidth) loaded();
    else image.addEventListener("load", loaded, { once: true });
  }

  pages.addEventListener("click", (event) => {
    if (event.target.closest(".ck-share-zoom")) pages.classList.toggle("ck-zoomed");
  });

  if (hasViewer) {
    viewToggle.hidden = false;
    viewToggle.addEventListener("click", () => {
      const showPDF = viewToggle.getAttribute("aria-pressed") !== "true";
      viewToggle.setAttribute("aria-pressed", String(showPDF));
      if (showPDF && !frame.getAttribute("src")) frame.src = `${base}/document.pdf`;
      frame.hidden = !showPDF;
      pages.hidden = showPDF;
    });
  }

  printButton.addEventListener("click", async () => {
    try {
      await fetch(`${base}/printed`, { method: "POST", keepalive: true, credentials: "omit" });
    } catch {
      // Recording is best effort; printing goes on.
    }
    if (!hasViewer) {
      window.print();
      return;
    }
    const printFrame = document.createElement("iframe");
    printFrame.className = "ck-share-print-frame";
    printFrame.src = `${base}/document.pdf`;
    printFrame.addEventListener("load", () => {
      try {
        printFrame.contentWindow.focus();
        printFrame.contentWindow.print();
      } catch {
        window.print();
      }
    }, { once: true });
    document.body.append(printFrame);
  });
}
