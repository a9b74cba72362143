import Foundation

/// An ICC v2 display profile of sRGB (IEC 61966-2.1), built here rather than read from a system file:
/// the output intent PDF/A requires (docs/document-model.md#accessibility-and-archiving) then needs no
/// package on the server, and its bytes never change. Primaries are the D50-adapted (Bradford) sRGB
/// colorants every sRGB v2 profile carries; the tone curve is the sRGB formula sampled at 1,024 points.
enum SRGBProfile {
    static let name = "sRGB IEC61966-2.1"

    static let bytes: [UInt8] = build()

    private static func build() -> [UInt8] {
        let description = textDescription(name)
        let copyright = text("No copyright, use freely")
        let white = xyz(0.9642, 1.0, 0.8249)
        let red = xyz(0.4361, 0.2225, 0.0139)
        let green = xyz(0.3851, 0.7169, 0.0971)
        let blue = xyz(0.1431, 0.0606, 0.7141)
        let curve = toneCurve(points: 1024)
        // Tag signature → element; the three tone curves share one element.
        let elements: [(String, [UInt8])] = [
            ("desc", description), ("cprt", copyright), ("wtpt", white), ("rXYZ", red), ("gXYZ", green), ("bXYZ", blue), ("rTRC", curve),
        ]
        let tags = elements.map(\.0) + ["gTRC", "bTRC"]
        let tableSize = 4 + 12 * tags.count
        var data: [UInt8] = []
        var entries: [(String, Int, Int)] = []
        var offset = 128 + tableSize
        for (signature, element) in elements {
            entries.append((signature, offset, element.count))
            data += element
            offset += element.count
            while offset % 4 != 0 {
                data.append(0)
                offset += 1
            }
        }
        let curveEntry = entries.last!
        entries.append(("gTRC", curveEntry.1, curveEntry.2))
        entries.append(("bTRC", curveEntry.1, curveEntry.2))

        var header = [UInt8](repeating: 0, count: 128)
        func put(_ value: UInt32, at index: Int) { for i in 0..<4 { header[index + i] = UInt8((value >> (24 - 8 * UInt32(i))) & 0xFF) } }
        func put(_ signature: String, at index: Int) { for (i, byte) in signature.utf8.enumerated() { header[index + i] = byte } }
        put(UInt32(128 + tableSize + data.count), at: 0)
        put(0x0210_0000, at: 8)  // version 2.1
        put("mntr", at: 12)
        put("RGB ", at: 16)
        put("XYZ ", at: 20)
        // Creation date: 2000-01-01 00:00:00 (year, month, day, hour, minute, second as UInt16).
        header[24] = 0x07
        header[25] = 0xD0
        header[27] = 1
        header[29] = 1
        put("acsp", at: 36)
        put(s15Fixed16(0.9642), at: 68)
        put(s15Fixed16(1.0), at: 72)
        put(s15Fixed16(0.8249), at: 76)

        var table = uint32(UInt32(tags.count))
        for (signature, offset, size) in entries { table += Array(signature.utf8) + uint32(UInt32(offset)) + uint32(UInt32(size)) }
        return header + table + data
    }

    private static func uint32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (24 - 8 * UInt32($0))) & 0xFF) } }

    private static func s15Fixed16(_ value: Double) -> UInt32 { UInt32(bitPattern: Int32((value * 65536).rounded())) }

    private static func xyz(_ x: Double, _ y: Double, _ z: Double) -> [UInt8] {
        Array("XYZ ".utf8) + [0, 0, 0, 0] + uint32(s15Fixed16(x)) + uint32(s15Fixed16(y)) + uint32(s15Fixed16(z))
    }

    private static func text(_ value: String) -> [UInt8] { Array("text".utf8) + [0, 0, 0, 0] + Array(value.utf8) + [0] }

    /// `textDescriptionType` (ICC.1:2001-04 §6.5.17): ASCII, then empty Unicode and ScriptCode parts.
    private static func textDescription(_ value: String) -> [UInt8] {
        let ascii = Array(value.utf8) + [0]
        return Array("desc".utf8) + [0, 0, 0, 0] + uint32(UInt32(ascii.count)) + ascii + uint32(0) + uint32(0) + [0, 0, 0]
            + [UInt8](repeating: 0, count: 67)
    }

    /// `curveType` sampling the sRGB transfer function (linear segment below 0.04045).
    private static func toneCurve(points: Int) -> [UInt8] {
        var out = Array("curv".utf8) + [0, 0, 0, 0] + uint32(UInt32(points))
        for index in 0..<points {
            let v = Double(index) / Double(points - 1)
            let linear = v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4)
            let sample = UInt16((linear * 65535).rounded())
            out += [UInt8(sample >> 8), UInt8(sample & 0xFF)]
        }
        return out
    }
}
