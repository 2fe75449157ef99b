import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A 3-node NATS JetStream cluster on loopback: Debian's `nats-server`, each node with
/// its own client, route and monitoring ports and store directory. `stop()` must be
/// called on every path; a node outlives the test process by at most half a second.
final class NATSCluster: @unchecked Sendable {
    struct Node {
        let name: String
        let clientPort: Int
        let routePort: Int
        let monitorPort: Int
        let configPath: String
        var program: ExternalProgram?
    }

    let directory: TemporaryDirectory
    private(set) var nodes: [Node]
    private let executable: String

    /// The client URLs of every node.
    var urls: [String] { nodes.map { "nats://127.0.0.1:\($0.clientPort)" } }
    var urlList: String { urls.joined(separator: ",") }

    /// Nil (with the reason printed) when nats-server is not installed.
    static func start() async throws -> NATSCluster? {
        guard let executable = ExternalProgram.find("nats-server") else {
            print("SKIPPED: nats-server is not installed (tools/test installs Debian's nats-server)")
            return nil
        }
        let directory = try TemporaryDirectory("nats")
        // Nine different ports: one the system handed out and took back may come again
        // at the next ask (a node once got the same port for its monitor and its
        // routes, and stopped at start).
        var ports: [Int] = []
        while ports.count < 9 {
            let port = try freeLoopbackPort()
            if !ports.contains(port) { ports.append(port) }
        }
        var nodes: [Node] = []
        for index in 1...3 {
            let first = (index - 1) * 3
            nodes.append(Node(
                name: "n\(index)", clientPort: ports[first], routePort: ports[first + 1], monitorPort: ports[first + 2],
                configPath: "\(directory.path)/n\(index).conf", program: nil))
        }
        let routes = nodes.map { "nats-route://127.0.0.1:\($0.routePort)" }.joined(separator: ", ")
        for node in nodes {
            let config = """
                server_name: \(node.name)
                listen: 127.0.0.1:\(node.clientPort)
                http: 127.0.0.1:\(node.monitorPort)
                jetstream { store_dir: "\(directory.path)/\(node.name)-store" }
                cluster { name: tacho-test, listen: 127.0.0.1:\(node.routePort), routes: [\(routes)] }

                """
            try config.write(toFile: node.configPath, atomically: true, encoding: .utf8)
        }
        let cluster = NATSCluster(directory: directory, nodes: nodes, executable: executable)
        do {
            for index in nodes.indices { try cluster.launch(index) }
            for index in nodes.indices { try await cluster.waitHealthy(index) }
        } catch {
            cluster.stop()
            throw error
        }
        return cluster
    }

    private init(directory: TemporaryDirectory, nodes: [Node], executable: String) {
        self.directory = directory
        self.nodes = nodes
        self.executable = executable
    }

    /// `sh -c` script: $1 is the pid to outlive, the rest the command.
    private static let watchdog = #"""
        parent=$1; shift
        "$@" & child=$!
        trap 'kill -9 $child 2>/dev/null; wait $child; exit 0' TERM INT
        while kill -0 "$parent" 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 0.5; done
        kill $child 2>/dev/null; wait $child
        """#

    private func launch(_ index: Int) throws {
        let node = nodes[index]
        nodes[index].program = try ExternalProgram(
            "/bin/sh", ["-c", Self.watchdog, "nats-watchdog", String(getpid()), executable, "-c", node.configPath],
            outputPath: "\(directory.path)/\(node.name).log")
    }

    /// Polls the node's `/healthz` for up to 30 s: JetStream ready, meta leader known
    /// and, unless `serverOnly`, every stream and consumer replica on it current.
    func waitHealthy(_ index: Int, serverOnly: Bool = false) async throws {
        let url = "http://127.0.0.1:\(nodes[index].monitorPort)/healthz" + (serverOnly ? "?js-server-only=true" : "")
        let healthy = await poll(timeout: .seconds(30)) {
            (try? await httpGet(url, timeoutSeconds: 2))?.status == 200
        }
        guard healthy else {
            throw ExternalProgramError(description: "nats node \(nodes[index].name) not healthy within 30 s: \(nodes[index].program?.output.suffix(2000) ?? "")")
        }
    }

    /// Kills the node at once (SIGKILL through its watchdog), as a lost machine.
    func kill(_ index: Int) {
        nodes[index].program?.stop()
        nodes[index].program = nil
    }

    /// Starts a killed node again on its store directory and waits for it to be healthy.
    func restart(_ index: Int) async throws {
        try launch(index)
        try await waitHealthy(index)
    }

    /// Starts every node again (after they were all killed): no node is healthy before a
    /// quorum is back. Waits for the servers only: a consumer left behind by a client
    /// that gave up may stay "not current" on a node for longer than any wait (seen in
    /// CI: `/healthz` failing 30 s on one node), and whoever reads the stream next waits
    /// for its leader itself.
    func restartAll() async throws {
        for index in nodes.indices where nodes[index].program == nil { try launch(index) }
        for index in nodes.indices { try await waitHealthy(index, serverOnly: true) }
    }

    func stop() {
        for index in nodes.indices { kill(index) }
        directory.remove()
    }
}
