import Foundation

/// Template slugs: URL-safe kebab-case, at most 120 characters, unique per project
/// (docs/api.md#template-requests). A slug omitted on create is derived from the template name.
public enum Slug {
    public static let maxLength = 120

    /// True for `^[a-z0-9]+(?:-[a-z0-9]+)*$` within the length limit.
    public static func isValid(_ slug: String) -> Bool {
        guard !slug.isEmpty, slug.count <= maxLength, !slug.hasPrefix("-"), !slug.hasSuffix("-"), !slug.contains("--") else {
            return false
        }
        return slug.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    /// Kebab-case from a display name: accents folded, every run of other characters becomes one dash.
    /// A name with no usable character yields `template`.
    public static func derive(from name: String) -> String {
        let folded = name.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
        var slug = ""
        var pendingDash = false
        for scalar in folded.unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                if pendingDash && !slug.isEmpty { slug.append("-") }
                slug.unicodeScalars.append(scalar)
                pendingDash = false
            } else {
                pendingDash = true
            }
        }
        // Leave room for a collision suffix ("-" + 6 characters) within the length limit.
        slug = String(slug.prefix(maxLength - 7))
        while slug.hasSuffix("-") { slug.removeLast() }
        return slug.isEmpty ? "template" : slug
    }

    /// A derived slug with a collision suffix: `invoice-k3x9q2`.
    public static func withSuffix(_ base: String) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        let suffix = String((0..<6).map { _ in alphabet.randomElement(using: &generator)! })
        return "\(base)-\(suffix)"
    }
}
