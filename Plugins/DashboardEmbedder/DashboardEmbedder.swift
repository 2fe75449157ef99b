import Foundation
import PackagePlugin

/// Embeds the Server target's `Dashboard` folder into the module as generated
/// source (see tools/embed), rebuilt whenever a file of the folder changes.
@main
struct DashboardEmbedder: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let dashboard = target.directoryURL.appendingPathComponent("Dashboard")
        var inputs: [URL] = []
        if let walker = FileManager.default.enumerator(at: dashboard, includingPropertiesForKeys: [.isRegularFileKey]) {
            for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                inputs.append(url)
            }
        }
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("DashboardEmbedded.swift")
        return [
            .buildCommand(
                displayName: "Embedding the dashboard (\(inputs.count) files)",
                executable: try context.tool(named: "tacho-embed").url,
                arguments: [dashboard.path, output.path],
                inputFiles: inputs,
                outputFiles: [output])
        ]
    }
}
