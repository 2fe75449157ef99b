import Hummingbird

/// `GET /` and the dashboard's files, from memory.
public struct DashboardController<Context: RequestContext>: Sendable {
    let assets: DashboardAssets

    public init(assets: DashboardAssets) {
        self.assets = assets
    }

    public func addRoutes(to router: some RouterMethods<Context>) {
        // One route per file: nothing outside the packaged set can be asked for.
        for path in assets.files.keys.sorted() {
            router.get(RouterPath(path)) { _, _ in self.serve(path) }
        }
        if assets.files["/index.html"] != nil {
            router.get("/") { _, _ in self.serve("/index.html") }
        }
    }

    func serve(_ path: String) -> Response {
        guard let asset = assets.files[path] else {
            return APIError.notFound("no dashboard file at \(path)").response()
        }
        return Response(
            status: .ok, headers: [.contentType: asset.contentType, .cacheControl: "no-cache"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }
}
