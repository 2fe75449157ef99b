/// Walks the batch frames of one segment file through a read-ahead buffer, verifying
/// each frame's length and checksum before handing it out. Reads never go past
/// `limitBytes`, which is how readers stay below the published high-water mark.
final class SegmentCursor {
    struct Frame {
        let header: BatchFrameHeader
        let position: UInt64
        /// The stored payload; valid until the next call on the cursor.
        let payload: UnsafeRawBufferPointer
        /// The whole frame, header and payload, as stored; valid as `payload` is.
        let bytes: UnsafeRawBufferPointer
    }

    enum Failure: Error {
        case corruption(CorruptionError)
        case fileSystem(FileSystemError)
    }

    static let readAheadBytesDefault = 1 << 20

    let file: any LogFile
    let path: String
    /// Start of the next frame.
    private(set) var position: UInt64
    var limitBytes: UInt64

    private var buffer: UnsafeMutableRawBufferPointer
    private var bufferStart: UInt64 = 0
    private var bufferCount = 0

    init(file: any LogFile, path: String, position: UInt64, limitBytes: UInt64, readAheadBytes: Int = readAheadBytesDefault) {
        precondition(readAheadBytes >= BatchFrameHeader.sizeBytes, "read-ahead smaller than a batch header")
        self.file = file
        self.path = path
        self.position = position
        self.limitBytes = limitBytes
        self.buffer = .allocate(byteCount: readAheadBytes, alignment: 16)
    }

    deinit { buffer.deallocate() }

    func seek(to position: UInt64) { self.position = position }

    /// Makes `[at, at + count)` resident; false if the file ends first.
    private func ensure(_ at: UInt64, _ count: Int) throws(Failure) -> Bool {
        if at >= bufferStart && at + UInt64(count) <= bufferStart + UInt64(bufferCount) { return true }
        if count > buffer.count {
            let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16)
            buffer.deallocate()
            buffer = grown
        }
        let want = Int(min(UInt64(buffer.count), max(UInt64(count), limitBytes > at ? limitBytes - at : 0)))
        let read: Int
        do { read = try file.readFully(at: at, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want])) } catch {
            throw .fileSystem(error)
        }
        bufferStart = at
        bufferCount = read
        return read >= count
    }

    private func bytes(_ at: UInt64, _ count: Int) -> UnsafeRawBufferPointer {
        let from = Int(at - bufferStart)
        return UnsafeRawBufferPointer(rebasing: buffer[from..<(from + count)])
    }

    private func corruption(_ reason: CorruptionError.Reason, _ detail: String, at: UInt64) -> Failure {
        .corruption(CorruptionError(segment: path, position: at, reason: reason, detail: detail))
    }

    /// What `read()` met next.
    enum Read {
        case frame(Frame)
        case damage(CorruptionError)
    }

    /// The next frame or the damage at the position (staying put, so the caller may
    /// `skipDamaged()`), nil at the limit; only a file-system error throws.
    func read() throws(FileSystemError) -> Read? {
        do {
            return try next().map(Read.frame)
        } catch {
            switch error {
            case .fileSystem(let fsError): throw fsError
            case .corruption(let damage): return .damage(damage)
            }
        }
    }

    /// The next intact frame, or nil at the limit. On damage throws and stays put, so
    /// the caller may `skipDamaged()`.
    func next() throws(Failure) -> Frame? {
        guard position < limitBytes else { return nil }
        let frame = try frame(at: position)
        position += UInt64(frame.header.totalLength)
        return frame
    }

    private func frame(at start: UInt64) throws(Failure) -> Frame {
        let headerSize = BatchFrameHeader.sizeBytes
        let at = start
        guard limitBytes - at >= UInt64(headerSize), try ensure(at, headerSize) else {
            throw corruption(.truncated, "segment ends inside a batch header", at: at)
        }
        let (magicOK, totalLength) = BatchFrameHeader.peekLength(bytes(at, headerSize))
        guard magicOK else { throw corruption(.badMagic, "no batch magic", at: at) }
        if let problem = BatchFrameHeader.lengthProblem(totalLength) { throw corruption(.badLength, problem, at: at) }
        let length = Int(totalLength)
        guard limitBytes - at >= UInt64(length), try ensure(at, length) else {
            throw corruption(.truncated, "segment ends inside a batch of \(length) bytes", at: at)
        }
        let whole = bytes(at, length)
        let header: BatchFrameHeader
        do { header = try BatchFrameHeader.verify(frame: whole, segment: path, position: at) } catch { throw .corruption(error) }
        return Frame(header: header, position: at, payload: UnsafeRawBufferPointer(rebasing: whole[headerSize...]), bytes: whole)
    }

    /// The batches inside a damaged region `[start, end)` that `skipDamaged()` passed
    /// over, after the first (at `start`, already reported): each found by following a
    /// damaged header's length while it stays plausible, or by a batch magic with a
    /// plausible length. Each with why it is not intact. A batch whose magic and
    /// position are both lost cannot be told apart from the damage around it.
    func damagedFrames(in region: Range<UInt64>) throws(FileSystemError) -> [CorruptionError] {
        var found: [UInt64: CorruptionError] = [:]
        func failure(at position: UInt64) throws(FileSystemError) -> CorruptionError? {
            do {
                _ = try frame(at: position)
                return nil
            } catch {
                switch error {
                case .fileSystem(let fsError): throw fsError
                case .corruption(let corruption): return corruption
                }
            }
        }
        func plausibleHeader(at position: UInt64) throws(FileSystemError) -> UInt32? {
            guard position + UInt64(BatchFrameHeader.sizeBytes) <= limitBytes else { return nil }
            do { guard try ensure(position, BatchFrameHeader.sizeBytes) else { return nil } } catch {
                if case .fileSystem(let fsError) = error { throw fsError }
                return nil
            }
            let (magicOK, length) = BatchFrameHeader.peekLength(bytes(position, BatchFrameHeader.sizeBytes))
            return magicOK && BatchFrameHeader.lengthProblem(length) == nil ? length : nil
        }
        // The chain of lengths from the first damaged batch.
        var at = region.lowerBound
        while let length = try plausibleHeader(at: at) {
            let next = at + UInt64(length)
            guard next < region.upperBound, let problem = try failure(at: next) else { break }
            found[next] = problem
            at = next
        }
        // Batch magics anywhere in the region.
        var candidate = region.lowerBound + 1
        while candidate < region.upperBound {
            if found[candidate] == nil, try plausibleHeader(at: candidate) != nil, let problem = try failure(at: candidate) {
                found[candidate] = problem
            }
            candidate += 1
        }
        return found.keys.sorted().map { found[$0]! }
    }

    /// Moves past damage at the current position to the next intact frame (magic,
    /// length and checksum all good), or to the limit. Returns the bytes skipped.
    @discardableResult
    func skipDamaged() throws(FileSystemError) -> UInt64 {
        let start = position
        var candidate = position + 1
        let magic = withUnsafeBytes(of: LogFormat.batchMagic.littleEndian) { Array($0) }
        while candidate + UInt64(BatchFrameHeader.sizeBytes) <= limitBytes {
            do {
                guard try ensure(candidate, 4) else { break }
            } catch {
                if case .fileSystem(let fsError) = error { throw fsError }
                break
            }
            let four = bytes(candidate, 4)
            if four[0] == magic[0] && four[1] == magic[1] && four[2] == magic[2] && four[3] == magic[3] {
                do {
                    _ = try frame(at: candidate)
                    position = candidate
                    return candidate - start
                } catch {
                    if case .fileSystem(let fsError) = error { throw fsError }
                }
            }
            candidate += 1
        }
        position = limitBytes
        return limitBytes - start
    }
}
