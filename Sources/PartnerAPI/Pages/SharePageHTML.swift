import Core
import Delivery
import Storage

/// The share page's HTML, written here rather than as a static file because it carries the org's
/// brand, the partner's message and the page list; every value is escaped, colours are re-checked, and
/// the script (`/embed/assets/share.js`) reads what it needs from `data-` attributes (no inline script).
enum SharePageHTML {
    static func document(token: String, share: Share, pageCount: Int, documentName: String, profile: OrgProfile?, nonce: String) -> String {
        let brand = brandName(profile)
        let base = "/share/\(token)"
        var html = head(title: "\(documentName) · \(brand)", profile: profile, nonce: nonce)
        html += """
            <body class="ck-share" data-share-base="\(HTML.escape(base))" data-page-count="\(pageCount)">
            \(header(profile))
            <main class="ck-share-main">
            <section class="ck-share-intro">
            <p class="ck-share-from">\(HTML.escape(brand)) shared a document with you</p>
            <h1 class="ck-share-title">\(HTML.escape(documentName))</h1>
            """
        if let message = share.message, !message.isEmpty {
            html += "<blockquote class=\"ck-share-message\">\(HTML.paragraphs(message))</blockquote>"
        }
        html += """
            </section>
            <div class="ck-share-bar" role="toolbar" aria-label="Document actions">
            <span class="ck-share-count">\(pageCount) \(pageCount == 1 ? "page" : "pages")</span>
            <span class="ck-share-actions">
            <button type="button" class="ck-share-button ck-share-secondary" id="ck-share-view" hidden aria-pressed="false">PDF viewer</button>
            <button type="button" class="ck-share-button ck-share-secondary" id="ck-share-print">Print</button>
            <a class="ck-share-button" id="ck-share-download" href="\(HTML.escape(base))/download" download>Download PDF</a>
            </span>
            </div>
            <div class="ck-share-pages" id="ck-share-pages">
            """
        for page in stride(from: 1, through: pageCount, by: 1) {
            let loading = page <= 2 ? "eager" : "lazy"
            html += """
                <figure class="ck-share-page"><button type="button" class="ck-share-zoom" aria-label="Zoom page \(page)">\
                <img src="\(HTML.escape(base))/pages/\(page)" alt="Page \(page) of \(pageCount)" loading="\(loading)" decoding="async"></button>\
                <figcaption>Page \(page) of \(pageCount)</figcaption></figure>
                """
        }
        html += """
            </div>
            <iframe class="ck-share-pdf" id="ck-share-pdf" title="\(HTML.escape(documentName)) (PDF)" hidden></iframe>
            </main>
            \(footer)
            </body></html>
            """
        return html
    }

    /// Unknown, revoked or expired: one calm sentence, in the partner's brand when the share is known.
    static func unavailable(profile: OrgProfile?, nonce: String) -> String {
        var html = head(title: "Link not active", profile: profile, nonce: nonce)
        html += """
            <body class="ck-share ck-share-unavailable">
            \(header(profile))
            <main class="ck-share-main"><section class="ck-share-gone" role="status">
            <h1 class="ck-share-title">This link is no longer active.</h1>
            <p>Ask the sender for a new one.</p>
            </section></main>
            \(footer)
            </body></html>
            """
        return html
    }

    static func brandName(_ profile: OrgProfile?) -> String {
        profile.map { $0.appearance.displayName ?? $0.name } ?? "Shared document"
    }

    /// `page` names the page's stylesheet and script under /embed/assets/ (`share`, `sign`).
    static func head(title: String, profile: OrgProfile?, nonce: String, page: String = "share") -> String {
        var variables: [String] = []
        let appearance = profile?.appearance ?? Appearance()
        for (name, value) in [
            ("--ck-primary", appearance.colorPrimary), ("--ck-primary-foreground", appearance.colorPrimaryForeground),
            ("--ck-share-background", appearance.colorBackground),
        ] {
            if let value, Appearance.isHexColor(value) { variables.append("\(name): \(value);") }
        }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="robots" content="noindex, nofollow">
            <meta name="referrer" content="no-referrer">
            <title>\(HTML.escape(title))</title>
            <link rel="icon" href="data:,">
            <link rel="stylesheet" href="/embed/assets/ck-base.css">
            <link rel="stylesheet" href="/embed/assets/share.css">
            \(page == "share" ? "" : "<link rel=\"stylesheet\" href=\"/embed/assets/\(page).css\">")
            <style nonce="\(HTML.escape(nonce))">:root { \(variables.joined(separator: " ")) }</style>
            <script type="module" src="/embed/assets/\(page).js"></script>
            </head>
            """
    }

    static func header(_ profile: OrgProfile?) -> String {
        guard let profile else { return "<header class=\"ck-share-brand\"></header>" }
        let name = brandName(profile)
        if let logo = profile.appearance.logoUrl, logo.lowercased().hasPrefix("https://") {
            return "<header class=\"ck-share-brand\"><img class=\"ck-share-logo\" src=\"\(HTML.escape(logo))\" alt=\"\(HTML.escape(name))\"></header>"
        }
        return "<header class=\"ck-share-brand\"><span class=\"ck-share-brand-name\">\(HTML.escape(name))</span></header>"
    }

    static let footer = "<footer class=\"ck-share-footer\">Delivered with Craftkit</footer>"
}
