import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A moment as `2026-11-30T06:03:40Z`, exactly as a default `ISO8601DateFormatter` writes it,
/// through the C library: creating that formatter loads ICU's calendar data and cost a few
/// milliseconds on every run, a twentieth of a run that finds nothing to do.
public func isoTimestamp(_ date: Date) -> String {
    var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
    var parts = tm()
    gmtime_r(&seconds, &parts)
    var buffer = [CChar](repeating: 0, count: 32)
    let length = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%SZ", &parts)
    return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
