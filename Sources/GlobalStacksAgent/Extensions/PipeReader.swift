import Foundation

/// Reads a descriptor to its end on a small thread of its own (a blocked read must not hold a pool thread), keeping
/// at most `limit` bytes: the first ones, or with `keepTail` the last ones. Closes the descriptor.
enum PipeReader {
    struct Collected: Sendable {
        let bytes: [UInt8]
        /// More was written than was kept.
        let truncated: Bool
    }

    static func start(_ fd: Int32, limit: Int, keepTail: Bool) -> Task<Collected, Never> {
        Task {
            await withCheckedContinuation { continuation in
                let reader = Thread {
                    var kept: [UInt8] = []
                    var truncated = false
                    var buffer = [UInt8](repeating: 0, count: 16 << 10)
                    while true {
                        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                        if count < 0 && errno == EINTR { continue }
                        guard count > 0 else { break }
                        kept += buffer[0..<count]
                        if kept.count > limit {
                            truncated = true
                            kept = keepTail ? Array(kept.suffix(limit)) : Array(kept.prefix(limit))
                        }
                    }
                    close(fd)
                    continuation.resume(returning: Collected(bytes: kept, truncated: truncated))
                }
                reader.stackSize = 128 << 10
                reader.start()
            }
        }
    }
}
