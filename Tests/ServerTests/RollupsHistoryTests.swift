import EventStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Projections
import Testing
@testable import Server

/// The live state keeps half an hour of minutes per series (`SeriesRetention.live`);
/// `/api/v1/rollups` over longer ranges joins the log's minutes (sealed segments'
/// rollup files and the open segment's samples) before those, and answers what
/// the fold of every sample into day-long tiers answers. So does an `?at=` answer on a
/// log of many series (whose snapshots hold no rollups): the hour before the moment
/// folded from the samples, the minutes before it from the log's rollups.
@Suite struct RollupsHistoryTests {
    static let startNs: Int64 = 1_767_261_600_000_000_000
    static let stepNs: Int64 = 15 * 1_000_000_000
    static let scrapes = 4 * 240

    @Test(arguments: [0, SeriesProjection.seriesKeptInSnapshotsMax + 1])
    func rollupsOverFourHours_answerAsTheFoldOfEverySampleIntoLongTiers(otherSeries: Int) async throws {
        let directory = try TemporaryDirectory("rollups-history")
        defer { directory.remove() }
        var logOptions = LogOptions()
        logOptions.retentionAgeNs = nil
        logOptions.segmentBytesMax = 16 * 1024
        let engine = try await Engine.open(dataDirectory: directory.path, logOptions: logOptions)
        let running = Task { try await engine.run() }
        do {
            if otherSeries > 0 {
                _ = try await engine.append((0..<otherSeries).map { n in
                    Event(timeNs: Self.startNs, body: .metric(MetricSample(name: "other", labels: ["n": "\(n)"], value: 1, kind: .gauge)))
                })
            }
            var counter = 0.0
            for scrape in 0..<Self.scrapes {
                let timeNs = Self.startNs + Int64(scrape) * Self.stepNs
                counter = scrape == 500 ? 3 : counter + Double(scrape % 11)
                _ = try await engine.append([
                    Event(timeNs: timeNs, body: .metric(MetricSample(name: "queue_depth", labels: [:], value: Double(scrape % 17), kind: .gauge))),
                    Event(timeNs: timeNs, body: .metric(MetricSample(name: "sent_total", labels: [:], value: counter, kind: .counter))),
                ])
            }
            #expect(await engine.waitUntilIdle())
            await engine.log.waitForMaintenance()
            #expect(engine.log.segments().filter(\.sealed).count >= 3, "minutes from sealed segments' files")

            var folded = SeriesProjection(retention: .standard, seriesMax: 1000)
            for item in try engine.loggedEvents() { folded.apply(item.event, offset: item.offset) }
            let everything = folded
            let live = engine.currentSnapshot().views.series
            let router = Router()
            HistoryController<BasicRequestContext>(reader: engine).addRoutes(to: router)
            let endNs = Self.startNs + Int64(Self.scrapes - 1) * Self.stepNs
            // A series silent for the 5 min before a moment and sampled again seconds
            // after it, within the moment's minute: `?at=` leaves that sample out.
            let momentNs = endNs - 20 * 60 * 1_000_000_000 - 30 * 1_000_000_000
            _ = try await engine.append([
                Event(timeNs: momentNs - 3600 * 1_000_000_000, body: .metric(MetricSample(name: "resumed", labels: [:], value: 1, kind: .gauge))),
                Event(timeNs: momentNs + 10 * 1_000_000_000, body: .metric(MetricSample(name: "resumed", labels: [:], value: 99, kind: .gauge))),
            ])
            #expect(await engine.waitUntilIdle())
            // With many series, the answer at the last moment: a snapshot without rollups.
            let at = otherSeries > 0 ? "&at=\(endNs)" : ""
            if otherSeries > 0 { #expect(try await engine.snapshot(atNs: endNs).views.series.isOmitted) }
            try await Application(router: router).test(.router) { client in
                let resumedURI = "/api/v1/rollups?name=resumed&from=\(momentNs - 7200 * 1_000_000_000)&to=\(momentNs)&step=1m&at=\(momentNs)"
                let resumed = try await client.execute(uri: resumedURI, method: .get) { response in
                    #expect(response.status == .ok, "GET \(resumedURI)")
                    return try JSONDecoder().decode(SeriesQueryResult.self, from: Data(buffer: response.body))
                }
                #expect(resumed.points.map(\.max) == [1], "only the sample at or before the moment: \(resumed.points)")
                for name in ["queue_depth", "sent_total"] {
                    let key = SeriesKey(name: name, labels: Labels([:]))
                    #expect(try #require(live.minuteTierStartNs(of: key)) > Self.startNs + 2 * 3600 * 1_000_000_000, "the live state holds the last half hour")
                    for (fromNs, step) in [(Self.startNs, "1m"), (Self.startNs + 1800 * 1_000_000_000, "5m"), (Self.startNs, "1h")] {
                        let uri = "/api/v1/rollups?name=\(name)&from=\(fromNs)&to=\(endNs)&step=\(step)\(at)"
                        let answer = try await client.execute(uri: uri, method: .get) { response in
                            #expect(response.status == .ok, "GET \(uri)")
                            return try JSONDecoder().decode(SeriesQueryResult.self, from: Data(buffer: response.body))
                        }
                        let stepNs = try #require(try HistoryController<BasicRequestContext>.stepNs(step))
                        let expected = try #require(everything.queryResult(key: key, fromNs: fromNs, toNs: endNs, stepNs: stepNs))
                        #expect(answer.stepNs == expected.stepNs && answer.tierWidthNs == expected.tierWidthNs, "\(uri)")
                        #expect(answer.points.map(\.timeNs) == expected.points.map(\.timeNs), "\(uri)")
                        for (got, want) in zip(answer.points, expected.points) {
                            func close(_ a: Double?, _ b: Double?) -> Bool {
                                guard let a, let b else { return a == nil && b == nil }
                                return abs(a - b) <= 1e-5 * max(1, abs(a), abs(b))
                            }
                            let same = got.count == want.count && got.min == want.min && got.max == want.max && got.last == want.last
                                && close(got.mean, want.mean) && close(got.rate, want.rate)
                            #expect(same, "\(uri) at \(got.time): \(got) against \(want)")
                        }
                    }
                }
            }
        } catch {
            running.cancel()
            _ = try? await running.value
            throw error
        }
        running.cancel()
        try await running.value
    }
}
