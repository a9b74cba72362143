import Crypto
import Foundation

public enum ConstantTime {
    /// Compares two secrets without leaking where they differ or how long the expected one is:
    /// both sides are hashed first, then the digests are compared byte by byte without early exit.
    public static func equals(_ lhs: String, _ rhs: String) -> Bool {
        let left = SHA256.hash(data: Data(lhs.utf8))
        let right = SHA256.hash(data: Data(rhs.utf8))
        var difference: UInt8 = 0
        for (a, b) in zip(left, right) { difference |= a ^ b }
        return difference == 0
    }
}
