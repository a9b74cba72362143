import NIOCore
import NIOPosix
import NIOSSL

/// One SMTP reply: its three-digit code and the text of each of its lines (multi-line replies, `250-`,
/// joined into one).
struct SMTPReply: Sendable, Equatable {
    var code: Int
    var lines: [String]

    /// Code and text on one line, cut short, for an error message.
    var summary: String {
        let text = "\(code) " + lines.joined(separator: " ")
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }
}

/// Why a conversation broke off below the SMTP level: the sender turns each into `.unavailable`.
enum SMTPConnectionError: Error, Equatable, CustomStringConvertible {
    case timedOut
    case closed
    case lineTooLong
    case replyTooLong
    case malformedReply
    case unexpectedReply
    case dataAfterStartTLS
    case tls(String)
    case commandWithLineBreak

    var description: String {
        switch self {
        case .timedOut: "timed out waiting for the SMTP server"
        case .closed: "the SMTP server closed the connection"
        case .lineTooLong: "the SMTP server sent a line longer than allowed"
        case .replyTooLong: "the SMTP server sent a reply longer than allowed"
        case .malformedReply: "the SMTP server sent a malformed reply"
        case .unexpectedReply: "the SMTP server sent a reply nobody asked for"
        case .dataAfterStartTLS: "the SMTP server sent data after agreeing to STARTTLS (possible injection)"
        case .tls(let why): "TLS with the SMTP server failed: \(why)"
        case .commandWithLineBreak: "refused to send an SMTP command containing a line break"
        }
    }
}

/// Cuts the byte stream into reply lines and replies, and hands each reply to the one waiting for it.
/// Lives on the channel's event loop. A hostile or broken server cannot make it buffer without bound:
/// a line is at most `maxLineBytes`, a reply at most `maxReplyLines` lines, and at most one unasked
/// reply is held.
///
/// STARTTLS is done here, not by the caller: the TLS handler goes into the pipeline in the same event
/// loop turn that reads the server's 220, so no byte that arrives after it can be read as plaintext;
/// and bytes already read behind that 220 (a man in the middle injecting "replies" for after the
/// upgrade, CVE-2011-0411) fail the session instead of being believed.
final class SMTPReplyReader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    /// RFC 5321 §4.5.3.1.5 allows 512 octets per reply line; some servers send more.
    static let maxLineBytes = 2048
    static let maxReplyLines = 100

    private var buffer = ByteBuffer()
    private var partialCode: Int?
    private var partialLines: [String] = []
    private var ready: [SMTPReply] = []
    private var waiter: EventLoopPromise<SMTPReply>?
    private var failure: SMTPConnectionError?
    /// Set while a STARTTLS is outstanding: installed if the answer is 220.
    private var pendingTLS: NIOSSLClientHandler?
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    /// The next reply, failing after `timeout`.
    func nextReply(timeout: TimeAmount, on eventLoop: any EventLoop) -> EventLoopFuture<SMTPReply> {
        if let failure { return eventLoop.makeFailedFuture(failure) }
        if !ready.isEmpty { return eventLoop.makeSucceededFuture(ready.removeFirst()) }
        let promise = eventLoop.makePromise(of: SMTPReply.self)
        waiter = promise
        let timer = eventLoop.assumeIsolated().scheduleTask(in: timeout) { self.fail(.timedOut) }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        return promise.futureResult
    }

    /// Arms the upgrade for the STARTTLS about to be sent.
    func expectTLS(_ handler: NIOSSLClientHandler) { pendingTLS = handler }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard failure == nil else { return }
        var chunk = unwrapInboundIn(data)
        buffer.writeBuffer(&chunk)
        while failure == nil, let line = nextLine() { take(line) }
        if failure == nil, buffer.readableBytes > Self.maxLineBytes { fail(.lineTooLong) }
        buffer.discardReadBytes()
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError ? .tls(String(describing: error)) : .closed)
        context.close(promise: nil)
    }

    /// One line without its CRLF (a bare LF is accepted too), or nil when none is complete yet.
    private func nextLine() -> String? {
        guard let end = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let length = end - buffer.readerIndex
        guard length < Self.maxLineBytes, var bytes = buffer.readBytes(length: length + 1) else {
            fail(.lineTooLong)
            return nil
        }
        bytes.removeLast()
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `250-text` continues a reply, `250 text` or `250` ends it; every line of a reply has the same code.
    private func take(_ line: String) {
        let utf8 = Array(line.utf8)
        guard utf8.count >= 3, utf8[0...2].allSatisfy({ (0x30...0x39).contains($0) }), let code = Int(String(decoding: utf8[0...2], as: UTF8.self)),
            (200...599).contains(code), utf8.count == 3 || utf8[3] == UInt8(ascii: " ") || utf8[3] == UInt8(ascii: "-"),
            partialCode == nil || partialCode == code
        else { return fail(.malformedReply) }
        partialCode = code
        partialLines.append(utf8.count > 4 ? String(decoding: utf8[4...], as: UTF8.self) : "")
        guard partialLines.count <= Self.maxReplyLines else { return fail(.replyTooLong) }
        guard utf8.count == 3 || utf8[3] == UInt8(ascii: " ") else { return }
        let reply = SMTPReply(code: code, lines: partialLines)
        partialCode = nil
        partialLines = []
        deliver(reply)
    }

    private func deliver(_ reply: SMTPReply) {
        if let tls = pendingTLS {
            pendingTLS = nil
            if reply.code == 220 {
                guard buffer.readableBytes == 0, ready.isEmpty else { return fail(.dataAfterStartTLS) }
                do {
                    try context?.pipeline.syncOperations.addHandler(tls, position: .first)
                } catch {
                    return fail(.tls(String(describing: error)))
                }
            }
        }
        if let waiter {
            self.waiter = nil
            waiter.succeed(reply)
        } else if ready.isEmpty {
            ready.append(reply)
        } else {
            fail(.unexpectedReply)
        }
    }

    private func fail(_ error: SMTPConnectionError) {
        guard failure == nil else { return }
        failure = error
        if let waiter {
            self.waiter = nil
            waiter.fail(error)
        }
        context?.close(promise: nil)
    }
}

/// A connected SMTP session: send a line, read a reply. Every wait is bounded by `timeout`; closing
/// the channel (deadline, cancellation) fails whatever is waiting.
struct SMTPConnection: Sendable {
    let channel: any Channel
    let reader: NIOLoopBound<SMTPReplyReader>
    let timeout: TimeAmount

    /// Connects (with TLS from the first byte when `implicitTLS` is given).
    static func connect(
        host: String, port: Int, implicitTLS: (context: NIOSSLContext, serverHostname: String?)?, timeout: TimeAmount,
        group: any EventLoopGroup
    ) async throws -> SMTPConnection {
        try await ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let reader = SMTPReplyReader()
                    if let implicitTLS {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: implicitTLS.context, serverHostname: implicitTLS.serverHostname))
                    }
                    try channel.pipeline.syncOperations.addHandler(reader)
                    return SMTPConnection(channel: channel, reader: NIOLoopBound(reader, eventLoop: channel.eventLoop), timeout: timeout)
                }
            }
    }

    func reply() async throws -> SMTPReply {
        let reader = reader
        let timeout = timeout
        let eventLoop = channel.eventLoop
        return try await eventLoop.flatSubmit { reader.value.nextReply(timeout: timeout, on: eventLoop) }.get()
    }

    /// Sends one command line and reads its reply. A line break inside `line` would be a second
    /// command smuggled in: refused before anything is written.
    func command(_ line: String) async throws -> SMTPReply {
        guard !line.utf8.contains(where: { $0 == 13 || $0 == 10 }) else { throw SMTPConnectionError.commandWithLineBreak }
        write(line + "\r\n")
        return try await reply()
    }

    /// Not awaited: a write that fails (TLS handshake refused, connection reset) closes the channel,
    /// and the reply that is awaited next reports why, from the reader, which saw the cause.
    func write(_ text: String) {
        channel.writeAndFlush(ByteBuffer(string: text), promise: nil)
    }

    /// STARTTLS: the reader installs TLS as soon as it reads the 220 (see `SMTPReplyReader`).
    func startTLS(context: NIOSSLContext, serverHostname: String?) async throws -> SMTPReply {
        let reader = reader
        try await channel.eventLoop.submit {
            reader.value.expectTLS(try NIOSSLClientHandler(context: context, serverHostname: serverHostname))
        }.get()
        return try await command("STARTTLS")
    }

    func close() {
        channel.close(promise: nil)
    }
}
