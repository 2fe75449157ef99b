/// Explicit limits on what one event may hold. Checked at ingest and by the codec,
/// so nothing larger ever reaches the log.
public enum EventLimits {
    /// Names, ids, connection and cache names, label keys and values, tags.
    public static let nameBytesMax = 256
    /// Alert messages, annotation text, reasons.
    public static let textBytesMax = 4096
    /// An alert's `data` object, as canonical JSON.
    public static let dataBytesMax = 16384
    public static let labelsCountMax = 32
    public static let monitorsCountMax = 64
    public static let tagsCountMax = 32
}
