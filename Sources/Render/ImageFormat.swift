import Foundation

/// The image formats the engine decodes, told apart by their first bytes (a source's name or declared
/// type says nothing about what it holds).
enum ImageFormat {
    case png, jpeg, webp

    static func sniff(_ d: Data) -> ImageFormat? {
        let b = [UInt8](d.prefix(12))
        if b.count >= 8, b[0...7] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return .png }
        if b.count >= 3, b[0] == 0xFF, b[1] == 0xD8, b[2] == 0xFF { return .jpeg }
        if b.count >= 12, b[0...3] == [0x52, 0x49, 0x46, 0x46], b[8...11] == [0x57, 0x45, 0x42, 0x50] { return .webp }
        return nil
    }
}
