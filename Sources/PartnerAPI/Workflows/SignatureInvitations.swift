import Core
import Delivery
import Foundation
import Signatures

/// Signing invitations: the provider, the org's sender and brand, and the message around the signing
/// link `<CRAFTKIT_SHARE_BASE_URL>/sign/<token>` (docs/signatures.md#the-signing-flow).
struct SignatureInvitations {
    let services: AppServices

    struct Outbox {
        let sender: any EmailSender
        let from: EmailAddress
        let brand: String
        let appearance: Appearance
    }

    /// The configured provider and sender; 503 `email_not_configured` without them (a request nobody can
    /// be invited to is refused before it is written).
    func outbox(projectID: String) async throws -> Outbox {
        guard let sender = services.emailSender else {
            throw AppError(
                status: 503, code: "email_not_configured",
                message: "No email provider is configured (CRAFTKIT_RESEND_API_KEY or CRAFTKIT_SMTP_URL); signers are invited by email.")
        }
        let profile = try await services.deliveryStore.profile(projectID: projectID)
        guard let fromText = profile?.emailFrom ?? services.config.emailFrom, let from = EmailAddress.parse(fromText) else {
            throw AppError(
                status: 503, code: "email_not_configured",
                message: "No sender address: set the org's emailFrom (PATCH /v1/admin/provision) or CRAFTKIT_EMAIL_FROM.")
        }
        return Outbox(
            sender: sender, from: from, brand: profile.map { $0.appearance.displayName ?? $0.name } ?? "Documents",
            appearance: profile?.appearance ?? Appearance())
    }

    /// Sends every invitation due now and records each once the provider accepted it. A refusal throws,
    /// and the job retries the ones not yet sent.
    func sendDue(_ detail: SignatureRequestDetail) async throws {
        let due = try services.signatures.dueInvitations(detail)
        guard !due.isEmpty else { return }
        let outbox = try await outbox(projectID: detail.request.projectID)
        for (recipient, token) in due {
            guard let to = EmailAddress.make(address: recipient.email, displayName: nil) else {
                throw AppError(status: 422, code: "invalid_recipient", message: "Recipient \(recipient.index) has an address email cannot reach.")
            }
            let link = "\(services.config.shareBaseURL)/sign/\(token)"
            let id = try await outbox.sender.send(Self.message(outbox, to: to, recipient: recipient, request: detail.request, link: link))
            try await services.signatures.markInvited(
                requestID: detail.request.id, recipient: recipient.index, messageID: id, now: Date().epochMillis)
        }
    }

    /// Reminds every recipient whose reminder is due (the request's `reminderHours` since their
    /// invitation or last reminder) and records each once the provider accepted it.
    func sendReminders(_ detail: SignatureRequestDetail, now: Int64) async throws {
        let due = try services.signatures.withTokens(detail.dueReminders(now: now))
        guard !due.isEmpty else { return }
        let outbox = try await outbox(projectID: detail.request.projectID)
        for (recipient, token) in due {
            guard let to = EmailAddress.make(address: recipient.email, displayName: nil) else { continue }
            var message = Self.message(
                outbox, to: to, recipient: recipient, request: detail.request, link: "\(services.config.shareBaseURL)/sign/\(token)")
            message.subject = "Reminder: " + message.subject
            _ = try await outbox.sender.send(message)
            try await services.signatures.markReminded(requestID: detail.request.id, recipient: recipient.index, now: Date().epochMillis)
        }
    }

    /// The invitation: who asks, what to sign, until when, and one button. Every supplied value is escaped.
    static func message(
        _ outbox: Outbox, to: EmailAddress, recipient: SignatureRecipientRecord, request: SignatureRequestRecord, link: String
    )
        -> EmailMessage
    {
        let brand = outbox.brand
        let subject = "\(brand) asks you to sign “\(request.name)”"
        let color = outbox.appearance.colorPrimary.flatMap { Appearance.isHexColor($0) ? $0 : nil } ?? "#1d4ed8"
        let foreground = outbox.appearance.colorPrimaryForeground.flatMap { Appearance.isHexColor($0) ? $0 : nil } ?? "#ffffff"
        let until = Date(epochMillis: request.expiresAt).formatted(.dateTime.year().month(.wide).day().hour().minute().timeZone())
        let html = """
            <!doctype html><html><body style="margin:0;padding:24px;background:#f4f4f5;font-family:Arial,Helvetica,sans-serif;color:#18181b">
            <table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">
            <table role="presentation" width="560" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:8px;padding:32px">
            <tr><td style="padding-bottom:24px;font-size:18px;font-weight:bold">\(HTML.escape(brand))</td></tr>
            <tr><td style="font-size:16px;line-height:24px"><p>Hello \(HTML.escape(recipient.firstName)),</p>
            <p>\(HTML.escape(brand)) asks you to sign “\(HTML.escape(request.name))”. The link is yours alone; please do not forward it.</p>
            <p style="padding:16px 0"><a href="\(HTML.escape(link))" style="background:\(color);color:\(foreground);padding:12px 20px;\
            border-radius:6px;text-decoration:none;display:inline-block">Review and sign</a></p>
            <p style="font-size:13px;color:#71717a">The link works until \(HTML.escape(until)). Or open: \(HTML.escape(link))</p></td></tr>
            </table></td></tr></table></body></html>
            """
        let text = """
            Hello \(recipient.firstName),

            \(brand) asks you to sign “\(request.name)”. The link is yours alone; please do not forward it.

            Review and sign: \(link)

            The link works until \(until).

            """
        return EmailMessage(from: outbox.from, to: to, subject: subject, html: html, text: text)
    }
}
