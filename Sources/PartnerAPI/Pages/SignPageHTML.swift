import Core

/// The signing page's HTML shell (`GET /sign/:token`). The page is built by `/embed/assets/sign.js` from
/// the request's JSON (`GET /sign/:token/request`), in the share page's look (`share.css` + `sign.css`);
/// the token reaches the script only as a `data-` attribute of this page, never in a log or a referrer.
enum SignPageHTML {
    static func document(token: String, nonce: String) -> String {
        var html = SharePageHTML.head(title: "Review and sign", profile: nil, nonce: nonce, page: "sign")
        html += """
            <body class="ck-share ck-sign" data-sign-base="/sign/\(HTML.escape(token))">
            <header class="ck-share-brand"><span class="ck-share-brand-name" id="ck-sign-brand">Review and sign</span></header>
            <main class="ck-share-main" id="ck-sign-main" aria-busy="true">
            <p class="ck-sign-loading" role="status">Loading the document…</p>
            </main>
            \(SharePageHTML.footer)
            </body></html>
            """
        return html
    }
}
