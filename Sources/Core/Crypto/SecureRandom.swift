import Crypto

/// Bytes from a CSPRNG in one request (BoringSSL's, through swift-crypto). `SystemRandomNumberGenerator`
/// asks the kernel for eight bytes per call, which made ids and tokens cost a dozen system calls each.
public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        SymmetricKey(size: SymmetricKeySize(bitCount: count * 8)).withUnsafeBytes { Array($0) }
    }
}
