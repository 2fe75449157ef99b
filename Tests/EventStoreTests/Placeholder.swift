import Testing
@testable import EventStore
@Test func placeholder() {}
