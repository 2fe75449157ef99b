import EventStore
import Foundation

/// Reads an NDJSON file in chunks of whole lines (or a JSON array file whole) and
/// hands each chunk's bytes, with the line number it starts at, to a decoder.
enum NDJSONChunks {
    /// Bytes read at a time; a chunk ends at the last newline within it.
    static let chunkBytes = 8 << 20

    typealias Decode = (UnsafeRawBufferPointer, Int) throws -> [Event]

    @discardableResult
    static func forEach(path: String, _ body: ([Event], Int) throws -> Void, decode: Decode) throws -> UInt64 {
        var total: UInt64 = 0
        try chunks(path: path) { bytes, firstLine in
            let events = try bytes.withUnsafeBytes { try decode($0, firstLine) }
            total += UInt64(events.count)
            try body(events, firstLine)
        }
        return total
    }

    @discardableResult
    static func forEachAsync(path: String, _ body: ([Event]) async throws -> Void, decode: Decode) async throws -> UInt64 {
        var total: UInt64 = 0
        var reader = try ChunkReader(path: path)
        while let (bytes, firstLine) = try reader.next() {
            let events = try bytes.withUnsafeBytes { try decode($0, firstLine) }
            total += UInt64(events.count)
            if !events.isEmpty { try await body(events) }
        }
        return total
    }

    private static func chunks(path: String, _ body: ([UInt8], Int) throws -> Void) throws {
        var reader = try ChunkReader(path: path)
        while let (bytes, firstLine) = try reader.next() { try body(bytes, firstLine) }
    }

    /// Yields chunks of whole lines; a file that is one JSON array comes as one chunk.
    struct ChunkReader {
        private let handle: FileHandle
        private var carry: [UInt8] = []
        private var nextLine = 1
        private var isArray: Bool?
        private var done = false

        init(path: String) throws {
            guard let handle = FileHandle(forReadingAtPath: path) else { throw CommandFailure("cannot open \(path) for reading") }
            self.handle = handle
        }

        mutating func next() throws -> ([UInt8], Int)? {
            guard !done else { return nil }
            while true {
                let data = try handle.read(upToCount: chunkBytes) ?? Data()
                if data.isEmpty {
                    done = true
                    try? handle.close()
                    guard !carry.isEmpty else { return nil }
                    defer { carry = [] }
                    return (carry, nextLine)
                }
                carry.append(contentsOf: data)
                if isArray == nil, let first = carry.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) {
                    isArray = first == UInt8(ascii: "[")
                }
                if isArray == true { continue }
                guard let lastNewline = carry.lastIndex(of: 0x0A) else { continue }
                let chunk = Array(carry[...lastNewline])
                carry.removeSubrange(...lastNewline)
                let firstLine = nextLine
                nextLine += chunk.withUnsafeBufferPointer { buffer in buffer.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } }
                return (chunk, firstLine)
            }
        }
    }
}
