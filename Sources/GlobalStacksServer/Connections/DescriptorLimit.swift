import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The process's file-descriptor limit, and how many of them client connections may take.
enum DescriptorLimit {
    /// Raises the soft limit to the hard limit (connections, database files and sandboxes all need descriptors);
    /// returns the limit now in force.
    static func raiseToHardLimit() -> Int {
        #if canImport(Glibc)
        let resource = Int32(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }

    /// Connections allowed under a descriptor limit: a reserve of a tenth (at least 128) stays free for everything
    /// else the process opens (SQLite files, PostgreSQL connections, sandbox pipes, /proc reads of the runtime).
    static func connectionCap(forDescriptorLimit limit: Int) -> Int {
        max(16, limit - max(128, limit / 10))
    }
}
