/// Implemented by append errors that can tell a full disk (ENOSPC, EDQUOT) from other
/// failures, so ingest answers 507 and the producer knows to retry later rather
/// than fix its input.
public protocol DiskFullReporting: Error {
    var isDiskFull: Bool { get }
}
