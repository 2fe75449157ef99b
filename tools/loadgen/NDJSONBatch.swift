/// NDJSON bodies of metric events in the public JSON form, without `ts` so the
/// server stamps each with its arrival time (the bodies can then be sent again).
enum NDJSONBatch {
    /// `count` metric events over `count` distinct series of connection `connection`.
    static func metrics(count: Int, connection: Int) -> [UInt8] {
        var text = ""
        text.reserveCapacity(count * 110)
        for index in 0..<count {
            let host = "lg-\(connection)-\(index / 10)"
            let metric = index % 10 < 5 ? "cpu_percent" : "loadgen_requests_total"
            let label = index % 10 < 5 ? "\"core\":\"\(index % 5)\"" : "\"route\":\"r\(index % 5)\""
            let kind = index % 10 < 5 ? "gauge" : "counter"
            text += "{\"type\":\"metric\",\"name\":\"\(metric)\",\"labels\":{\(label),\"host\":\"\(host)\"},\"value\":\(index % 97).5,\"kind\":\"\(kind)\"}\n"
        }
        return Array(text.utf8)
    }

    /// One marker event; the server's answer gives its offset.
    static func marker(sequence: Int) -> [UInt8] {
        Array("{\"type\":\"metric\",\"name\":\"loadgen_marker\",\"value\":\(sequence),\"kind\":\"gauge\"}\n".utf8)
    }

    /// `first` of the ingest answer `{"offsets":{"first":N,"last":M},"count":K}`.
    static func firstOffset(inAnswer answer: String) -> UInt64? {
        guard let range = answer.range(of: "\"first\":") else { return nil }
        let digits = answer[range.upperBound...].prefix { $0.isNumber }
        return UInt64(digits)
    }

    static func count(inAnswer answer: String) -> Int? {
        guard let range = answer.range(of: "\"count\":") else { return nil }
        return Int(answer[range.upperBound...].prefix { $0.isNumber })
    }
}
