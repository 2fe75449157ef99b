import EventStore
import Projections
import Testing
@testable import Server

@Suite struct DemoRecorderTests {
    @Test func recordedDemo_holdsTheAlertsItsRulesRaise_soReplayShowsWhatALiveServerShowed() async throws {
        let directory = try TemporaryDirectory("demo-record")
        defer { directory.remove() }
        // A session from last year: recorded whole, with no retention running.
        let startNs: Int64 = 1_748_736_000 * EventTime.nanosPerSecond  // 2025-06-01T00:00:00Z
        let recording = try await DemoRecorder(dataDirectory: directory.path, seed: 7, startNs: startNs, seconds: 240).record()
        #expect(recording.workloadEvents > 10_000)
        #expect(recording.ruleEvents > 0, "the rules raised alerts while the demo was recorded")

        // Reopened, the rules raise nothing the log does not already hold.
        let reopened = try await Engine.open(dataDirectory: directory.path)
        #expect(reopened.recovery.alertsToAppend == 0, "\(reopened.recovery)")
        let events = try reopened.loggedEvents()
        #expect(UInt64(events.count) == recording.workloadEvents + recording.ruleEvents, "every event kept")
        #expect(events.first?.event.timeNs == startNs)
        let alerts = events.filter { if case .alert = $0.event.body { true } else { false } }
        #expect(!alerts.isEmpty)
        #expect(reopened.currentSnapshot().views.alerts.raisedBySeverity.critical
            + reopened.currentSnapshot().views.alerts.raisedBySeverity.warning
            + reopened.currentSnapshot().views.alerts.raisedBySeverity.info == UInt64(alerts.count))

        // The recording kept view snapshots along the log; `?at=` after the restart starts
        // from one and answers what a fresh fold of the events up to then answers.
        let kept = try #require(reopened.logInfo().viewSnapshots)
        #expect(kept.count >= 3, "a snapshot every 50,000 events")
        let timeNs = startNs + 200 * EventTime.nanosPerSecond
        let answer = try await reopened.snapshot(atNs: timeNs)
        var fresh = ProjectionSet()
        for item in events where item.event.timeNs <= timeNs { fresh.apply(item.event, offset: item.offset) }
        #expect(answer.views == fresh.omittingLiveOnlyParts())
        #expect(reopened.logInfo().viewSnapshots?.loaded == 1, "started from a stored snapshot")
        try await reopened.log.close()

        // `tacho replay --serve` reads the same snapshots, without writing to the directory.
        let before = try ReplayRecording.files(directory.path)
        let replay = try ReplayEngine(source: try ReplaySource.open(directory: directory.path), speed: .factor(1), playing: false)
        #expect(try await replay.snapshot(atNs: timeNs).views == fresh.omittingLiveOnlyParts(), "replay ?at= from a snapshot")
        #expect(replay.logInfo().viewSnapshots?.loaded == 1, "the replay started from a stored snapshot")
        #expect(try ReplayRecording.files(directory.path) == before, "the replay wrote nothing")
    }
}
