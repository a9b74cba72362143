import Core
import Foundation

/// The formatters a token may use: `{{ value | name:arg,arg | … }}`, applied left to right.
public enum Formatters {
    /// Names the engine knows. Anything else is a lint error and a `RenderError.unknownFormatter`.
    public static let names: Set<String> = [
        "money", "currency", "number", "percent", "date", "datetime", "upper", "lower", "default", "yesno",
    ]
}

/// Applies formatters for one locale and time zone. Caches format styles and date formatters; not thread-safe (one per
/// workspace).
final class Formatting {
    let locale: Locale
    let timeZone: TimeZone
    // FormatStyle, not NumberFormatter: corelibs' NumberFormatter ignores fraction digits for decimals.
    private var currencyStyles: [String: FloatingPointFormatStyle<Double>.Currency] = [:]
    private var numberStyles: [Int: FloatingPointFormatStyle<Double>] = [:]
    private var percentStyles: [Int: FloatingPointFormatStyle<Double>.Percent] = [:]
    private var dateFormatters: [String: DateFormatter] = [:]
    private var calendar: Calendar

    init(localeIdentifier: String, timeZone: TimeZone) {
        locale = Locale(identifier: localeIdentifier.replacingOccurrences(of: "-", with: "_"))
        self.timeZone = timeZone
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC") ?? timeZone
        calendar = cal
    }

    /// Formats `value` through `calls`. Missing values stay empty unless `default` fills them.
    func apply(_ value: JSONValue?, _ calls: [FormatterCall]) throws -> String {
        var current: JSONValue = value ?? .null
        for call in calls {
            current = try apply(call, to: current)
        }
        return current.plainText
    }

    private func isEmpty(_ v: JSONValue) -> Bool {
        switch v {
        case .null: return true
        case .string(let s): return s.isEmpty
        default: return false
        }
    }

    private func apply(_ call: FormatterCall, to value: JSONValue) throws -> JSONValue {
        switch call.name {
        case "default":
            return isEmpty(value) ? .string(call.args.first ?? "") : value
        case "upper":
            return isEmpty(value) ? value : .string(value.plainText.uppercased(with: locale))
        case "lower":
            return isEmpty(value) ? value : .string(value.plainText.lowercased(with: locale))
        case "yesno":
            if case .null = value { return value }
            let yes = call.args.count > 0 ? call.args[0] : "Yes"
            let no = call.args.count > 1 ? call.args[1] : "No"
            return .string(value.isTruthy ? yes : no)
        case "money", "currency":
            guard let n = value.numberValue else { return value }
            let code = (call.args.first ?? "").uppercased()
            guard code.count == 3, code.allSatisfy({ $0.isLetter }) else {
                throw RenderError.invalidFormatterArgument(formatter: call.name, argument: call.args.first ?? "")
            }
            let style = currencyStyles[code] ?? FloatingPointFormatStyle<Double>.Currency(code: code, locale: locale)
            currencyStyles[code] = style
            return .string(n.formatted(style))
        case "number":
            guard let n = value.numberValue else { return value }
            var digits: Int?
            if let a = call.args.first, !a.isEmpty {
                guard let d = Int(a), (0...10).contains(d) else {
                    throw RenderError.invalidFormatterArgument(formatter: call.name, argument: a)
                }
                digits = d
            }
            let key = digits ?? -1
            let style =
                numberStyles[key]
                ?? FloatingPointFormatStyle<Double>(locale: locale)
                .precision(digits.map { .fractionLength($0) } ?? .fractionLength(0...6))
            numberStyles[key] = style
            return .string(n.formatted(style))
        case "percent":
            guard let n = value.numberValue else { return value }
            var digits = 0
            if let a = call.args.first, !a.isEmpty {
                guard let d = Int(a), (0...10).contains(d) else {
                    throw RenderError.invalidFormatterArgument(formatter: call.name, argument: a)
                }
                digits = d
            }
            let style = percentStyles[digits] ?? FloatingPointFormatStyle<Double>.Percent(locale: locale).precision(.fractionLength(digits))
            percentStyles[digits] = style
            return .string(n.formatted(style))
        case "date", "datetime":
            guard case .string(let s) = value, let parsed = parseDate(s) else { return value }
            let isDateTime = call.name == "datetime"
            let arg = call.args.first ?? ""
            let styles: [String: DateFormatter.Style] = ["short": .short, "medium": .medium, "long": .long, "full": .full]
            if arg.isEmpty || styles[arg] != nil {
                let style = styles[arg] ?? (isDateTime ? .medium : .long)
                let zone = parsed.dateOnly ? (TimeZone(identifier: "UTC") ?? timeZone) : timeZone
                let f = dateFormatter(key: "\(call.name):\(arg):\(zone.identifier)") {
                    $0.dateStyle = style
                    $0.timeStyle = isDateTime ? .short : .none
                    $0.timeZone = zone
                }
                return .string(f.string(from: parsed.date))
            }
            return .string(formatPattern(arg, parsed))
        default:
            throw RenderError.unknownFormatter(call.name)
        }
    }

    private func dateFormatter(key: String, _ configure: (DateFormatter) -> Void) -> DateFormatter {
        if let f = dateFormatters[key] { return f }
        let f = DateFormatter()
        f.locale = locale
        f.calendar = Calendar(identifier: .gregorian)
        configure(f)
        dateFormatters[key] = f
        return f
    }

    struct ParsedDate {
        var date: Date
        var dateOnly: Bool
    }

    /// Parses `YYYY-MM-DD` (a calendar date, no time zone shift) and ISO 8601 date-times with `Z` or an
    /// offset (fractional seconds allowed).
    func parseDate(_ raw: String) -> ParsedDate? {
        let s = raw.trimmingCharacters(in: .whitespaces)
        let scalars = Array(s.utf8)
        func num(_ from: Int, _ len: Int) -> Int? {
            guard from + len <= scalars.count else { return nil }
            var v = 0
            for i in from..<(from + len) {
                let c = scalars[i]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard let y = num(0, 4), scalars.count >= 10, scalars[4] == 45, let m = num(5, 2), scalars[7] == 45, let d = num(8, 2),
            (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        var comps = DateComponents(year: y, month: m, day: d)
        if scalars.count == 10 {
            guard let date = calendar.date(from: comps) else { return nil }
            return ParsedDate(date: date, dateOnly: true)
        }
        guard scalars.count >= 16, scalars[10] == 84 || scalars[10] == 32, let hh = num(11, 2), scalars[13] == 58, let mi = num(14, 2) else {
            return nil
        }
        var i = 16
        var ss = 0
        if scalars.count >= 19, scalars[16] == 58, let sv = num(17, 2) {
            ss = sv
            i = 19
            if i < scalars.count, scalars[i] == 46 {
                i += 1
                while i < scalars.count, scalars[i] >= 48, scalars[i] <= 57 { i += 1 }
            }
        }
        var offset = 0
        if i < scalars.count {
            let c = scalars[i]
            if c == 90 || c == 122 {
                i += 1
            } else if c == 43 || c == 45 {
                guard let oh = num(i + 1, 2) else { return nil }
                var om = 0
                if let v = num(i + 4, 2), i + 3 < scalars.count, scalars[i + 3] == 58 {
                    om = v; i += 6
                } else if let v = num(i + 3, 2) {
                    om = v; i += 5
                } else {
                    i += 3
                }
                offset = (oh * 3600 + om * 60) * (c == 45 ? -1 : 1)
            }
        }
        guard i == scalars.count else { return nil }
        comps.hour = hh
        comps.minute = mi
        comps.second = ss
        guard let local = calendar.date(from: comps) else { return nil }
        return ParsedDate(date: local.addingTimeInterval(TimeInterval(-offset)), dateOnly: false)
    }

    /// Pattern tokens: `YYYY YY MMMM MMM MM M DD D dddd ddd HH H hh h mm ss A` (and `yyyy yy dd d`); other characters are kept.
    func formatPattern(_ pattern: String, _ parsed: ParsedDate) -> String {
        var cal = calendar
        if !parsed.dateOnly { cal.timeZone = timeZone }
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: parsed.date)
        let symbols = dateFormatter(key: "symbols") { _ in }
        func pad(_ v: Int, _ n: Int) -> String {
            let s = String(v)
            return s.count >= n ? s : String(repeating: "0", count: n - s.count) + s
        }
        let year = c.year ?? 0, month = c.month ?? 1, day = c.day ?? 1
        let hour = c.hour ?? 0, minute = c.minute ?? 0, second = c.second ?? 0
        let weekday = (c.weekday ?? 1) - 1
        let table: [(String, () -> String)] = [
            ("YYYY", { pad(year, 4) }), ("MMMM", { symbols.monthSymbols[month - 1] }), ("dddd", { symbols.weekdaySymbols[weekday] }),
            ("MMM", { symbols.shortMonthSymbols[month - 1] }), ("ddd", { symbols.shortWeekdaySymbols[weekday] }),
            ("yyyy", { pad(year, 4) }), ("yy", { pad(year % 100, 2) }), ("dd", { pad(day, 2) }),
            ("YY", { pad(year % 100, 2) }), ("MM", { pad(month, 2) }), ("DD", { pad(day, 2) }), ("HH", { pad(hour, 2) }),
            ("hh", { pad(hour % 12 == 0 ? 12 : hour % 12, 2) }), ("mm", { pad(minute, 2) }), ("ss", { pad(second, 2) }),
            ("M", { String(month) }), ("D", { String(day) }), ("d", { String(day) }), ("H", { String(hour) }),
            ("h", { String(hour % 12 == 0 ? 12 : hour % 12) }),
            ("A", { hour < 12 ? symbols.amSymbol : symbols.pmSymbol }),
        ]
        var out = ""
        var rest = Substring(pattern)
        outer: while !rest.isEmpty {
            for (tok, f) in table where rest.hasPrefix(tok) {
                out += f()
                rest = rest.dropFirst(tok.count)
                continue outer
            }
            out.append(rest.removeFirst())
        }
        return out
    }
}
