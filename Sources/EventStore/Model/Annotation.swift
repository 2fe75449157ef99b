/// A marker on the timeline: a deploy, an incident start, a note.
public struct Annotation: Sendable, Equatable, Hashable {
    public var text: String
    public var tags: [String]

    public init(text: String, tags: [String] = []) {
        self.text = text
        self.tags = tags
    }
}
