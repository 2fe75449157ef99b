import Testing
@testable import Server

@Suite struct SSEResumeTests {
    @Test func decide_withoutPosition_goesLive() throws {
        #expect(try SSEResumePlan.decide(lastEventID: nil, since: nil, earliestRetainedOffset: 0, nextOffset: 10) == .live)
        #expect(try SSEResumePlan.decide(lastEventID: " ", since: "", earliestRetainedOffset: 0, nextOffset: 10) == .live)
    }

    @Test func decide_withRetainedLastEventID_replaysFromTheNextOffset() throws {
        #expect(try SSEResumePlan.decide(lastEventID: "41", since: nil, earliestRetainedOffset: 10, nextOffset: 100) == .replay(fromOffset: 42))
    }

    @Test func decide_whenHeaderAndSinceBothGiven_headerWins() throws {
        #expect(try SSEResumePlan.decide(lastEventID: "50", since: "20", earliestRetainedOffset: 0, nextOffset: 100) == .replay(fromOffset: 51))
        #expect(try SSEResumePlan.decide(lastEventID: nil, since: "20", earliestRetainedOffset: 0, nextOffset: 100) == .replay(fromOffset: 21))
    }

    @Test func decide_whenClientIsUpToDate_replaysNothingFromTheHighWaterMark() throws {
        #expect(try SSEResumePlan.decide(lastEventID: "99", since: nil, earliestRetainedOffset: 0, nextOffset: 100) == .replay(fromOffset: 100))
    }

    @Test func decide_whenNeededOffsetWasDeletedByRetention_resets() throws {
        #expect(try SSEResumePlan.decide(lastEventID: "5", since: nil, earliestRetainedOffset: 50, nextOffset: 100)
            == .reset(reason: .olderThanRetention(requestedOffset: 6, earliestRetainedOffset: 50)))
        // The last kept offset is exactly the one needed: no reset.
        #expect(try SSEResumePlan.decide(lastEventID: "49", since: nil, earliestRetainedOffset: 50, nextOffset: 100) == .replay(fromOffset: 50))
    }

    @Test func decide_whenIdIsAheadOfTheLog_resets() throws {
        #expect(try SSEResumePlan.decide(lastEventID: "500", since: nil, earliestRetainedOffset: 0, nextOffset: 100)
            == .reset(reason: .aheadOfLog(requestedOffset: 501, nextOffset: 100)))
        #expect(try SSEResumePlan.decide(lastEventID: String(UInt64.max), since: nil, earliestRetainedOffset: 0, nextOffset: 100)
            == .reset(reason: .aheadOfLog(requestedOffset: UInt64.max, nextOffset: 100)))
    }

    @Test func decide_whenLogIsEmptyAfterRetention_resets() throws {
        #expect(try SSEResumePlan.decide(lastEventID: "3", since: nil, earliestRetainedOffset: nil, nextOffset: 100)
            == .reset(reason: .olderThanRetention(requestedOffset: 4, earliestRetainedOffset: 100)))
    }

    @Test func decide_forMergedLogs_resetsAClientThatNamesAPosition_andLetsANewOneGoLive() throws {
        let merged = { (id: String?, since: String?) in
            try SSEResumePlan.decide(lastEventID: id, since: since, earliestRetainedOffset: 0, nextOffset: 100, resumesByOffset: false)
        }
        #expect(try merged("42", nil) == .reset(reason: .mergedLogs))
        #expect(try merged(nil, "7") == .reset(reason: .mergedLogs))
        #expect(try merged(nil, nil) == .live)
        #expect(try merged(" ", nil) == .live)
        #expect(try SSEResumePlan.decide(lastEventID: "42", since: nil, earliestRetainedOffset: 0, nextOffset: 100, resumesByOffset: true) == .replay(fromOffset: 43))
    }

    @Test func decide_withNonNumericId_throws() {
        #expect(throws: SSEResumeError(value: "abc")) {
            try SSEResumePlan.decide(lastEventID: "abc", since: nil, earliestRetainedOffset: 0, nextOffset: 10)
        }
        #expect(throws: SSEResumeError(value: "-1")) {
            try SSEResumePlan.decide(lastEventID: nil, since: "-1", earliestRetainedOffset: 0, nextOffset: 10)
        }
    }

    @Test func gate_afterReplay_refusesCoveredLiveOffsets_andAdmitsNewOnesAndOffsetless() {
        var gate = SSEResumeGate()
        for offset in UInt64(10)...12 { gate.replayed(offset) }
        #expect(!gate.admitsLive(offset: 11))
        #expect(!gate.admitsLive(offset: 12))
        #expect(gate.admitsLive(offset: 13))
        #expect(gate.admitsLive(offset: nil))
    }

    @Test func gate_withoutReplay_admitsEverything() {
        #expect(SSEResumeGate().admitsLive(offset: 0))
    }
}
