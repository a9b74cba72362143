import Core
import Delivery
import Foundation
import Storage

/// `POST /v1/renders/:id/email`: picks the provider and the sender, and writes the branded message
/// around the share link (docs/api.md#share-a-document).
struct ShareEmailing {
    let services: AppServices

    func send(render: DeliverableRender, input: EmailInput) async throws -> (issued: DeliveryService.IssuedShare, messageID: String) {
        try await services.delivery.email(render: render, input: input, now: Date().epochMillis) {
            try await outbox(render: render, input: input)
        }
    }

    /// The configured provider and the org's sender and brand; 503 `email_not_configured` without them.
    func outbox(render: DeliverableRender, input: EmailInput) async throws -> DeliveryService.Outbox {
        guard let sender = services.emailSender else {
            throw AppError(
                status: 503, code: "email_not_configured",
                message: "No email provider is configured (CRAFTKIT_RESEND_API_KEY or CRAFTKIT_SMTP_URL).")
        }
        let profile = try await services.deliveryStore.profile(projectID: render.projectID)
        guard let fromText = profile?.emailFrom ?? services.config.emailFrom, let from = EmailAddress.parse(fromText) else {
            throw AppError(
                status: 503, code: "email_not_configured",
                message: "No sender address: set the org's emailFrom (PATCH /v1/admin/provision) or CRAFTKIT_EMAIL_FROM.")
        }
        let brand = profile.map { $0.appearance.displayName ?? $0.name } ?? "Documents"
        let base = services.config.shareBaseURL
        return DeliveryService.Outbox(sender: sender) { token, _ in
            Self.message(
                from: from, to: input.to, brand: brand, appearance: profile?.appearance ?? Appearance(), recipientName: input.recipientName,
                note: input.message, documentName: render.filename, link: "\(base)/share/\(token)", pixel: "\(base)/share/\(token)/open.gif")
        }
    }

    /// The email: a greeting, the partner's note, one button to the document, and the pixel that records
    /// `email_opened`. Every supplied value is escaped.
    static func message(
        from: EmailAddress, to: EmailAddress, brand: String, appearance: Appearance, recipientName: String?, note: String?,
        documentName: String?, link: String, pixel: String
    ) -> EmailMessage {
        let greeting = recipientName.map { "Hello \($0)," } ?? "Hello,"
        let document = documentName.map { "“\($0)”" } ?? "a document"
        let subject = "\(brand) shared \(document) with you"
        let color = appearance.colorPrimary.flatMap { Appearance.isHexColor($0) ? $0 : nil } ?? "#1d4ed8"
        let foreground = appearance.colorPrimaryForeground.flatMap { Appearance.isHexColor($0) ? $0 : nil } ?? "#ffffff"
        var html = """
            <!doctype html><html><body style="margin:0;padding:24px;background:#f4f4f5;font-family:Arial,Helvetica,sans-serif;color:#18181b">
            <table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">
            <table role="presentation" width="560" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:8px;padding:32px">
            """
        if let logo = appearance.logoUrl {
            html += "<tr><td style=\"padding-bottom:24px\"><img src=\"\(HTML.escape(logo))\" alt=\"\(HTML.escape(brand))\" height=\"40\"></td></tr>"
        } else {
            html += "<tr><td style=\"padding-bottom:24px;font-size:18px;font-weight:bold\">\(HTML.escape(brand))</td></tr>"
        }
        html += "<tr><td style=\"font-size:16px;line-height:24px\"><p>\(HTML.escape(greeting))</p>"
        html += "<p>\(HTML.escape(brand)) shared \(HTML.escape(document)) with you.</p>"
        if let note, !note.isEmpty {
            html += "<p style=\"border-left:3px solid \(color);padding-left:12px;color:#3f3f46\">\(HTML.paragraphs(note))</p>"
        }
        html += """
            <p style="padding:16px 0"><a href="\(HTML.escape(link))" style="background:\(color);color:\(foreground);padding:12px 20px;\
            border-radius:6px;text-decoration:none;display:inline-block">View the document</a></p>
            <p style="font-size:13px;color:#71717a">Or open this link: \(HTML.escape(link))</p></td></tr>
            </table></td></tr></table><img src="\(HTML.escape(pixel))" width="1" height="1" alt=""></body></html>
            """
        var text = "\(greeting)\n\n\(brand) shared \(document) with you.\n\n"
        if let note, !note.isEmpty { text += "\(note)\n\n" }
        text += "View the document: \(link)\n"
        return EmailMessage(from: from, to: to, subject: subject, html: html, text: text)
    }
}
