import Foundation

/// The bytes of a checkpoint's content: `EngineState` as JSON with sorted keys, so
/// equal states give equal bytes (the replay tests compare these bytes).
public enum EngineStateCodec {
    public static func encode<Views>(_ state: EngineState<Views>) throws(CheckpointCodecError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do { return Array(try encoder.encode(state)) } catch {
            throw CheckpointCodecError(operation: "encode", detail: "\(error)")
        }
    }

    public static func decode<Views>(_ bytes: [UInt8], as _: EngineState<Views>.Type = EngineState<Views>.self) throws(CheckpointCodecError) -> EngineState<Views> {
        do { return try JSONDecoder().decode(EngineState<Views>.self, from: Data(bytes)) } catch {
            throw CheckpointCodecError(operation: "decode", detail: "\(error)")
        }
    }
}

/// A checkpoint's content could not be encoded, or a stored one (its checksum
/// intact) is not one this build understands.
public struct CheckpointCodecError: Error, Sendable, Equatable, CustomStringConvertible {
    public let operation: String
    public let detail: String

    public init(operation: String, detail: String) {
        self.operation = operation
        self.detail = detail
    }

    public var description: String { "checkpoint content could not be \(operation)d: \(detail)" }
}
