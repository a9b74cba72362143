import Core
import Foundation
import Testing

@Suite("Data limits and dotted keys")
struct DataLimitsTests {
    func parse(_ text: String) throws -> JSONValue { try JSONValue.parse(Data(text.utf8)) }

    @Test("a key's dot segments count as nesting levels, so expansion can never go deeper than the limit")
    func dottedSegmentsCountAsDepth() throws {
        let sixteen = Array(repeating: "a", count: 16).joined(separator: ".")
        let fifteen = Array(repeating: "b", count: 15).joined(separator: ".")
        #expect(DataLimits.data.violation(in: try parse(#"{"\#(sixteen)":{"\#(fifteen)":1}}"#), at: "data") == nil, "31 levels")
        let violation = try #require(DataLimits.data.violation(in: try parse(#"{"\#(sixteen)":{"\#(sixteen)":{"c":1}}}"#), at: "data"))
        #expect(violation.message == "Nested deeper than 32 levels")
        #expect(violation.path.hasPrefix("data.a.a.a"))
    }

    @Test(
        "each limit names its path",
        arguments: [
            (#"{"k":"a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q"}"#, "data", "Nested deeper than 32 levels"),
            (
                #"{"a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q":1}"#, "data.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q",
                "A key may have at most 16 dot-separated segments (got 17)"
            ),
            (#"{"list":[[1],[2],[[3,4]]]}"#, "data.list[2][0]", "Nested deeper than 2 levels"),
        ])
    func paths(input: String, path: String, message: String) throws {
        var limits = DataLimits.data
        if message.contains("2 levels") { limits.maxDepth = 2 }
        let value = try parse(input)
        let found = limits.violation(in: value, at: "data")
        if input.hasPrefix(#"{"k""#) {
            #expect(found == nil, "a dot inside a string value is just text")
            return
        }
        #expect(found?.path == path)
        #expect(found?.message == message)
    }

    @Test("keys per object, array length, total values and key length are bounded")
    func counts() throws {
        var limits = DataLimits.data
        limits.maxKeysPerObject = 2
        #expect(limits.violation(in: try parse(#"{"a":{"x":1,"y":2,"z":3}}"#), at: "data")?.path == "data.a")
        limits = .data
        limits.maxArrayLength = 3
        #expect(limits.violation(in: try parse(#"{"a":[1,2,3,4]}"#), at: "data")?.message == "Must contain at most 3 items (got 4)")
        limits = .data
        limits.maxNodes = 5
        #expect(limits.violation(in: try parse(#"{"a":[1,2,3,4,5]}"#), at: "data")?.message == "Must contain at most 5 values in all")
        let long = String(repeating: "k", count: 300)
        let tooLong = try #require(DataLimits.data.violation(in: try parse(#"{"\#(long)":1}"#), at: "data"))
        #expect(tooLong.message == "Keys must be at most 256 bytes long (got 300)")
        #expect(tooLong.path.count < 60, "a long key is shortened in the path")
    }

    @Test("layouts do not treat dots in keys as nesting")
    func layoutKeys() throws {
        let key = Array(repeating: "a", count: 40).joined(separator: ".")
        #expect(DataLimits.layout.violation(in: try parse(#"{"\#(key)":1}"#), at: "") == nil)
    }

    @Test("check throws invalid_request with the issue at its path")
    func check() throws {
        try DataLimits.data.check(try parse(#"{"a":[1]}"#), at: "data")
        do {
            var limits = DataLimits.data
            limits.maxArrayLength = 0
            try limits.check(try parse(#"{"a":[1]}"#), at: "data")
            Issue.record("no error")
        } catch let error as AppError {
            #expect(error.code == "invalid_request")
            #expect(error.issues?.fieldErrors["data.a"] == ["Must contain at most 0 items (got 1)"])
        }
    }

    @Test("the limit walk itself survives a value nested far deeper than any parser allows")
    func walkIsIterative() {
        var value: JSONValue = .string("x")
        for _ in 0..<100_000 { value = .array([value]) }
        #expect(DataLimits.data.violation(in: value, at: "data")?.message == "Nested deeper than 32 levels")
        // Taking it apart level by level, so the test itself does not overflow the stack on release.
        while case .array(let items) = value, let inner = items.first { value = inner }
    }

    @Test("dotted keys expand into objects, merge, and drop reserved segments")
    func expansion() throws {
        let expanded = DottedKeys.expand(try parse(#"{"customer.name":"Ada","customer.address.city":"Paris","a.__proto__.b":1,"":2}"#))
        #expect(expanded == (try parse(#"{"customer":{"name":"Ada","address":{"city":"Paris"}}}"#)))
        let merged = DottedKeys.merge(user: try parse(#"{"c":{"n":"user"}}"#), under: try parse(#"{"c":{"n":"prefill","m":1}}"#))
        #expect(merged == (try parse(#"{"c":{"n":"user","m":1}}"#)))
    }
}

@Suite("Async limiter")
struct AsyncLimiterTests {
    struct Busy: Error {}

    @Test("a slot is handed to the longest waiter; a waiter whose time runs out gets none")
    func slots() async throws {
        let limiter = AsyncLimiter(limit: 1)
        #expect(await limiter.acquire(timeout: .zero))
        #expect(await limiter.acquire(timeout: .zero) == false, "no slot and no wait")
        #expect(await limiter.acquire(timeout: .milliseconds(20)) == false, "no slot came free in time")
        async let waiter = limiter.acquire(timeout: .seconds(30))
        try await Task.sleep(for: .milliseconds(20))
        await limiter.release()
        #expect(await waiter, "the released slot went to the waiter")
        await limiter.release()
        let value = try await limiter.run(timeout: .zero, busy: Busy()) { 42 }
        #expect(value == 42)
        await #expect(throws: Busy.self) {
            #expect(await limiter.acquire(timeout: .zero))
            _ = try await limiter.run(timeout: .zero, busy: Busy()) { 1 }
        }
    }
}
