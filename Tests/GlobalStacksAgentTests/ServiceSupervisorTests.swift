import Foundation
import GlobalStacksAgent
import GlobalStacksAgentProtocol
import GlobalStacksDomain
import Logging
import Testing

/// Data-plane services with real bubblewrap and, for PostgreSQL, Debian's real server binaries; skipped with a note
/// when either is missing (failed instead with GSTACKS_REQUIRE_POSTGRES=1, as in CI).
@Suite("Data-plane services")
struct ServiceSupervisorTests {
    /// Restarts and checks paced for a test: no wait of seconds between failures.
    static var quick: ServiceSupervisor.Timing {
        var timing = ServiceSupervisor.Timing()
        timing.initialBackoff = .milliseconds(50)
        timing.maximumBackoff = .milliseconds(200)
        timing.healthyAfter = .milliseconds(300)
        timing.startupCheckInterval = .milliseconds(200)
        timing.stopGracePeriod = .seconds(3)
        return timing
    }

    /// A short root: a unix socket's path (the host's view of a socket directory) holds at most 107 bytes.
    static func directories() -> ServiceDirectories {
        ServiceDirectories(root: URL(fileURLWithPath: "/tmp/gsdp-\(UUID().uuidString.prefix(8).lowercased())"))
    }

    static let postgresBin: String? = {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted(by: >)
        return versions.map { "\(root)/\($0)/bin" }.first { FileManager.default.isExecutableFile(atPath: "\($0)/postgres") }
    }()

    /// What the test needs and is missing, recorded as a failure when CI requires it.
    static func missing(postgres: Bool) -> Bool {
        var absent: [String] = []
        if SandboxIsolation.detect() == .plain { absent.append("bubblewrap") }
        if postgres && postgresBin == nil { absent.append("the PostgreSQL server binaries") }
        guard !absent.isEmpty else { return false }
        if ProcessInfo.processInfo.environment["GSTACKS_REQUIRE_POSTGRES"] == "1" {
            Issue.record("GSTACKS_REQUIRE_POSTGRES=1 but \(absent.joined(separator: " and ")) is missing")
        } else {
            print("Skipped: \(absent.joined(separator: " and ")) not installed")
        }
        return true
    }

    /// Runs a host program to its end; its status and its output (stdout and stderr).
    @discardableResult
    static func run(_ argv: [String], input: String? = nil, environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        process.environment = ["PATH": "/usr/bin:/bin"].merging(environment) { _, given in given }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The PostgreSQL provider's spec for a service, from its `provision` operation run as the broker runs it.
    static func provisionedPostgres(_ serviceID: String, tenant: String) throws -> StartServicePayload {
        let extensionDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/extensions/postgresql")
        let manifest = try ExtensionManifest(parsing: try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: extensionDirectory.appendingPathComponent("extension.json"))))
        let provision = try #require(manifest.operations.first { $0.name == "provision" })
        let input = #"{"instanceId": "\#(serviceID)", "settings": {"maxConnections": 20, "sharedBuffers": "16MB"}}"#
        #expect(provision.inputSchema.validate(try JSONDecoder().decode(JSONValue.self, from: Data(input.utf8))).isEmpty)
        let request = #"{"protocol": "globalstacks.broker.v1", "invocationId": "run-1", "operation": "provision", "target": {"kind": "cluster", "id": "c"}, "tenantId": "\#(tenant)", "input": \#(input)}"#
        let answer = try run(["/usr/bin/python3", extensionDirectory.appendingPathComponent("main.py").path], input: request, environment: ["GLOBALSTACKS_SETTINGS": #"{"memory": "256Mi"}"#])
        #expect(answer.status == 0, "\(answer.output)")
        let document = try JSONDecoder().decode(JSONValue.self, from: Data(answer.output.utf8))
        #expect(provision.outputSchema.validate(document["outputs"] ?? .null).isEmpty, "the answer matches the manifest's output schema")
        struct Answer: Decodable {
            struct Outputs: Decodable {
                let service: Service
                let endpoint: String
            }
            struct Service: Decodable {
                let command: [String]
                let initCommand: [String]?
                let environment: [String: String]?
                let resources: [String: String]?
                let healthCheck: ServiceHealthCheck?
            }
            let outputs: Outputs
        }
        let outputs = try JSONDecoder().decode(Answer.self, from: Data(answer.output.utf8)).outputs
        #expect(outputs.endpoint == "postgresql://postgres@/postgres?host={socketDirectory}")
        #expect(outputs.service.command.contains("max_connections=20") && outputs.service.resources?["memory"] == "256Mi", "settings: install's, then the instance's")
        return StartServicePayload(
            serviceId: serviceID, tenantId: tenant, command: outputs.service.command, initCommand: outputs.service.initCommand,
            environment: outputs.service.environment, resources: outputs.service.resources, healthCheck: outputs.service.healthCheck
        )
    }

    /// The first process named `name` under `pid` (breadth first: the postmaster before its backends).
    static func descendant(of pid: pid_t, named name: String) -> pid_t? {
        var queue = [pid]
        while !queue.isEmpty {
            let next = queue.removeFirst()
            let comm = (try? String(contentsOfFile: "/proc/\(next)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            if next != pid, comm == name { return next }
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(next)/task")) ?? []
            for task in tasks {
                let children = (try? String(contentsOfFile: "/proc/\(next)/task/\(task)/children", encoding: .utf8)) ?? ""
                queue += children.split(separator: " ").compactMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            }
        }
        return nil
    }

    @Test func aPostgreSQLServiceKeepsItsDataThroughAKillAndAnAgentRestartAndIsReachedOnlyByItsTenant() async throws {
        guard !Self.missing(postgres: true), let bin = Self.postgresBin else { return }
        let directories = Self.directories()
        defer { try? FileManager.default.removeItem(at: directories.root) }
        let id = UUID().uuidString.lowercased()
        let spec = try Self.provisionedPostgres(id, tenant: "t1")
        let sockets = directories.sockets(id, tenant: "t1").path
        func psql(_ sql: String) throws -> (status: Int32, output: String) {
            try Self.run(["\(bin)/psql", "-h", sockets, "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-tAc", sql])
        }

        var supervisor = try ServiceSupervisor(directories: directories, timing: Self.quick, logger: Logger(label: "test"))
        var log = StatusLog(supervisor.statuses)
        #expect(try await supervisor.start(spec) == StartServiceResult(socketDirectory: "/run/globalstacks/data-plane/\(id)"))
        #expect(try await supervisor.start(spec) == StartServiceResult(socketDirectory: "/run/globalstacks/data-plane/\(id)"), "the same spec again changes nothing")
        let healthy = try #require(await log.next { $0.state == "healthy" })
        #expect(healthy.health.passed == true && healthy.health.restarts == 0)
        #expect(await log.seen.first?.state == "starting")
        let written = try psql("CREATE TABLE kept (value text); INSERT INTO kept VALUES ('survives')")
        #expect(written.status == 0, "\(written.output)")

        // The tenant's sandboxes reach it through its socket directory; another tenant's do not see the path.
        let sandboxes = try ProcessDriver(root: directories.root.appendingPathComponent("sandboxes"), services: directories, logger: Logger(label: "test"))
        var exits = sandboxes.exits.makeAsyncIterator()
        var own = StartSessionPayload(sessionId: "own")
        own.tenantId = "t1"
        own.command = ["\(bin)/psql", "-h", "/run/globalstacks/data-plane/\(id)", "-U", "postgres", "-d", "postgres", "-tAc", "SELECT value FROM kept"]
        try await sandboxes.start(own)
        #expect(await exits.next()?.exitStatus == 0)
        #expect((try? String(contentsOf: directories.root.appendingPathComponent("sandboxes/own/output.log"), encoding: .utf8)) == "survives\n")
        var other = StartSessionPayload(sessionId: "other")
        other.tenantId = "t2"
        other.command = ["/bin/sh", "-c", "ls /run/globalstacks/data-plane; test -e /run/globalstacks/data-plane/\(id)"]
        try await sandboxes.start(other)
        #expect(await exits.next()?.exitStatus == 1, "another tenant's sandbox does not have the path")
        var none = StartSessionPayload(sessionId: "none")
        none.command = ["/bin/sh", "-c", "test -e /run/globalstacks"]
        try await sandboxes.start(none)
        #expect(await exits.next()?.exitStatus == 1, "a sandbox of no tenant sees no service")

        // Killed, the postmaster is restarted (WAL recovery keeps the committed row).
        let pid = try #require(await supervisor.processID(of: id))
        let postmaster = try #require(Self.descendant(of: pid, named: "postgres"))
        kill(postmaster, SIGKILL)
        let restarting = try #require(await log.next { $0.state == "restarting" })
        #expect(restarting.health.restarts == 1 && restarting.health.lastExitStatus != nil && restarting.reason != nil)
        let recovered = try #require(await log.next { $0.state == "healthy" })
        #expect(recovered.health.restarts == 1)
        #expect(try psql("SELECT value FROM kept").output == "survives\n")

        // The agent restarts: a new supervisor on the same directories ends what the last one left running (here a
        // stand-in naming the data directory), then starts the stored service by itself.
        await supervisor.stopAll()
        let leftover = Process()
        leftover.executableURL = URL(fileURLWithPath: "/bin/sh")
        leftover.arguments = ["-c", "while :; do sleep 0.1; done", directories.root.appendingPathComponent("services/\(id)/data").path]
        try leftover.run()
        supervisor = try ServiceSupervisor(directories: directories, timing: Self.quick, logger: Logger(label: "test"))
        leftover.waitUntilExit()
        #expect(leftover.terminationReason == .uncaughtSignal, "the earlier run's process was ended")
        log = StatusLog(supervisor.statuses)
        await supervisor.startStored()
        #expect(try #require(await log.next { $0.state == "healthy" }).health.restarts == 0)
        #expect(try psql("SELECT value FROM kept").output == "survives\n")

        // Removed: stopped, and everything of it deleted.
        try await supervisor.remove(id)
        try await supervisor.remove(id)  // an unknown service is removed already
        #expect(!FileManager.default.fileExists(atPath: directories.root.appendingPathComponent("services/\(id)").path))
        #expect(!FileManager.default.fileExists(atPath: sockets))
        #expect(await supervisor.processID(of: id) == nil)
    }

    @Test func aServiceWritesOnlyItsDataAndSocketDirectories() async throws {
        guard !Self.missing(postgres: false) else { return }
        let directories = Self.directories()
        defer { try? FileManager.default.removeItem(at: directories.root) }
        let supervisor = try ServiceSupervisor(directories: directories, timing: Self.quick, logger: Logger(label: "test"))
        let log = StatusLog(supervisor.statuses)
        let script = """
            for path in /data/written /run/service/written /usr/written /run/written /written /tmp/written; do
              if touch "$path" 2>/dev/null; then echo "wrote $path"; else echo "refused $path"; fi
            done
            echo "network: $(ls /sys/class/net 2>/dev/null | tr '\\n' ' ')"
            exec sleep 30
            """
        let id = UUID().uuidString.lowercased()
        _ = try await supervisor.start(StartServicePayload(serviceId: id, tenantId: "t1", command: ["/bin/sh", "-c", script], resources: ["cpu": "250m", "memory": "64Mi"]))
        #expect(await log.next { $0.state == "healthy" } != nil, "no health check: healthy once it stayed up")
        let output = try String(contentsOf: directories.root.appendingPathComponent("services/\(id)/output.log"), encoding: .utf8)
        #expect(output.contains("wrote /data/written") && output.contains("wrote /run/service/written") && output.contains("wrote /tmp/written"), "\(output)")
        #expect(output.contains("refused /usr/written") && output.contains("refused /run/written") && output.contains("refused /written"), "\(output)")
        #expect(FileManager.default.fileExists(atPath: directories.root.appendingPathComponent("services/\(id)/data/written").path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directories.tenant("t1").path) == [id], "nothing beside its socket directory")
        try await supervisor.remove(id)
    }

    @Test func anotherSpecRestartsTheServiceWithItAndKeepsItsData() async throws {
        guard !Self.missing(postgres: false) else { return }
        let directories = Self.directories()
        defer { try? FileManager.default.removeItem(at: directories.root) }
        let supervisor = try ServiceSupervisor(directories: directories, timing: Self.quick, logger: Logger(label: "test"))
        let log = StatusLog(supervisor.statuses)
        let id = UUID().uuidString.lowercased()
        var spec = StartServicePayload(
            serviceId: id, tenantId: "t1", command: ["/bin/sh", "-c", "echo \"$VERSION\" >> /data/versions; exec sleep 30"], environment: ["VERSION": "1"]
        )
        _ = try await supervisor.start(spec)
        #expect(await log.next { $0.state == "healthy" } != nil)
        let first = await supervisor.processID(of: id)
        spec.environment = ["VERSION": "2"]
        _ = try await supervisor.start(spec)
        #expect(await log.next { $0.state == "starting" } != nil)
        #expect(await log.next { $0.state == "healthy" } != nil)
        #expect(await supervisor.processID(of: id) != first)
        let versions = try String(contentsOf: directories.root.appendingPathComponent("services/\(id)/data/versions"), encoding: .utf8)
        #expect(versions == "1\n2\n", "the same data directory, one process at a time")
        try await supervisor.remove(id)
    }

    @Test func aCommandThatEndsAtOnceIsFailedAfterItsBackoffWithTheReason() async throws {
        guard !Self.missing(postgres: false) else { return }
        let directories = Self.directories()
        defer { try? FileManager.default.removeItem(at: directories.root) }
        var timing = Self.quick
        timing.maximumFailures = 4
        let supervisor = try ServiceSupervisor(directories: directories, timing: timing, logger: Logger(label: "test"))
        let log = StatusLog(supervisor.statuses)
        let id = UUID().uuidString.lowercased()
        let spec = StartServicePayload(serviceId: id, tenantId: "t1", command: ["/bin/sh", "-c", "echo 'cannot open the data directory' >&2; exit 3"])
        _ = try await supervisor.start(spec)
        // Four confined starts, one after the other: on two cores busy with the other suites that can take a while.
        let failed = try #require(await log.next(within: .seconds(90)) { $0.state == "failed" })
        #expect(failed.health.restarts == 3 && failed.health.lastExitStatus == 3)
        #expect(failed.reason?.contains("4 times in a row") == true && failed.reason?.contains("cannot open the data directory") == true, "\(failed.reason ?? "")")
        #expect(await log.seen.filter { $0.state == "restarting" }.count == 3)
        // Not restarted by itself; a new start tries again.
        try await Task.sleep(for: .milliseconds(300))
        #expect(await log.seen.last?.state == "failed")
        _ = try await supervisor.start(spec)
        #expect(await log.next { $0.state == "starting" } != nil)
        try await supervisor.remove(id)
    }

    @Test func failingChecksMakeAHealthyServiceUnhealthyUntilOnePassesAndAHealthyOneIsReportedAgain() async throws {
        guard !Self.missing(postgres: false) else { return }
        let directories = Self.directories()
        defer { try? FileManager.default.removeItem(at: directories.root) }
        var timing = Self.quick
        timing.statusInterval = .milliseconds(500)
        let supervisor = try ServiceSupervisor(directories: directories, timing: timing, logger: Logger(label: "test"))
        let log = StatusLog(supervisor.statuses)
        let id = UUID().uuidString.lowercased()
        let spec = StartServicePayload(
            serviceId: id, tenantId: "t1", command: ["/bin/sh", "-c", "touch /run/service/ready; exec sleep 30"],
            healthCheck: ServiceHealthCheck(command: ["/bin/sh", "-c", "echo checking; test -e /run/service/ready"], intervalSeconds: 1, timeoutSeconds: 1, failureThreshold: 2)
        )
        _ = try await supervisor.start(spec)
        let healthy = try #require(await log.next { $0.state == "healthy" })
        #expect(healthy.health.passed == true && healthy.health.output == "checking" && healthy.health.checkedAt != nil)
        #expect(await log.next { $0.state == "healthy" } != nil, "a healthy service is reported again")
        let ready = directories.sockets(id, tenant: "t1").appendingPathComponent("ready")
        try FileManager.default.removeItem(at: ready)
        let unhealthy = try #require(await log.next { $0.state == "unhealthy" })
        #expect(unhealthy.health.consecutiveFailures == 2 && unhealthy.health.passed == false)
        #expect(unhealthy.reason?.hasPrefix("The health check failed 2 times in a row") == true, "\(unhealthy.reason ?? "")")
        FileManager.default.createFile(atPath: ready.path, contents: nil)
        #expect(await log.next { $0.state == "healthy" }?.health.consecutiveFailures == 0)
        #expect(await log.seen.allSatisfy { $0.health.restarts == 0 }, "checks never restart the process")
        try await supervisor.remove(id)
    }

    @Test func aFailedInitFailsTheStartWithItsOutputAndRunsAgainOnTheNextStart() async throws {
        guard !Self.missing(postgres: false) else { return }
        let directories = Self.directories()
        defer { try? FileManager.default.removeItem(at: directories.root) }
        let supervisor = try ServiceSupervisor(directories: directories, timing: Self.quick, logger: Logger(label: "test"))
        let log = StatusLog(supervisor.statuses)
        let id = UUID().uuidString.lowercased()
        // The init fails the first time (it leaves a file), succeeds the second; the service checks it ran once.
        let initScript = "if [ -e /data/tried ]; then echo done > /data/initialized-by-us; else touch /data/tried; echo 'disk full' >&2; exit 1; fi"
        let spec = StartServicePayload(
            serviceId: id, tenantId: "t1", command: ["/bin/sh", "-c", "test -e /data/initialized-by-us && exec sleep 30"], initCommand: ["/bin/sh", "-c", initScript],
            healthCheck: ServiceHealthCheck(command: ["/bin/sh", "-c", "test -d /run/service && ! test -e /data"], intervalSeconds: 1)
        )
        await #expect(throws: DriverError.self) { try await supervisor.start(spec) }
        #expect(await log.next { $0.state == "failed" }?.reason?.contains("disk full") == true)
        _ = try await supervisor.start(spec)
        #expect(await log.next { $0.state == "healthy" } != nil, "the health check sees the socket directory and not the data")
        try await supervisor.remove(id)
    }

    /// The agent never writes where the service does: a service that plants symlinks in its data directory, under any
    /// name the agent might use, cannot make it write a host file (the init marker lives beside `data/`).
    @Test func symlinksAServicePlantsInItsDataDirectoryReachNothingOfTheHost() async throws {
        guard !Self.missing(postgres: false) else { return }
        let directories = Self.directories()
        defer { try? FileManager.default.removeItem(at: directories.root) }
        let victim = directories.root.appendingPathComponent("victim")
        try FileManager.default.createDirectory(at: directories.root, withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: victim)
        let supervisor = try ServiceSupervisor(directories: directories, timing: Self.quick, logger: Logger(label: "test"))
        let log = StatusLog(supervisor.statuses)
        let id = UUID().uuidString.lowercased()
        let plant = "for name in .globalstacks-initialized initialized marker; do ln -s ../../../victim /data/$name; done"
        let spec = StartServicePayload(
            serviceId: id, tenantId: "t1", command: ["/bin/sh", "-c", "exec sleep 30"], initCommand: ["/bin/sh", "-c", plant]
        )
        _ = try await supervisor.start(spec)
        #expect(await log.next { $0.state == "healthy" } != nil)
        // Started again from disk (what an agent restart does), then removed: the victim is untouched throughout.
        await supervisor.stopAll()
        let again = try ServiceSupervisor(directories: directories, timing: Self.quick, logger: Logger(label: "test"))
        await again.startStored()
        try await again.remove(id)
        #expect(FileManager.default.contents(atPath: victim.path) == Data("keep me".utf8))
    }
}

/// The statuses a supervisor sent, in order, awaited by predicate.
actor StatusLog {
    private(set) var seen: [ServiceStatusMessage] = []
    private var consumed = 0

    init(_ statuses: AsyncStream<ServiceStatusMessage>) {
        Task { await self.read(statuses) }
    }

    private func read(_ statuses: AsyncStream<ServiceStatusMessage>) async {
        for await status in statuses { seen.append(status) }
    }

    /// The next status after the last one returned that matches, within `timeout`.
    func next(within timeout: Duration = .seconds(20), _ matches: (ServiceStatusMessage) -> Bool) async -> ServiceStatusMessage? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let index = seen[consumed...].firstIndex(where: matches) {
                consumed = index + 1
                return seen[index]
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}
