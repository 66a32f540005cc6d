import Foundation

/// Values a command-line run leaves for the process's exit to free (see
/// ``PipelineRunner/Options/endsWithProcess``): held here, they are never released.
enum LeftForExit {
    private final class Store: @unchecked Sendable {
        let lock = NSLock()
        var values: [Any] = []
    }

    private static let store = Store()

    static func keep(_ values: Any...) {
        store.lock.withLock { store.values.append(contentsOf: values) }
    }
}
