@testable import GlobalStacksCLI
import Testing

/// The parts of the sandbox commands that need no server: idle timeouts and the progress of a copy.
@Suite("Sandbox commands")
struct SandboxCommandTests {
    @Test func progressLines() {
        #expect(TransferProgress.line(name: "big.bin", done: 3 << 20, total: 10 << 20) == "big.bin  3.0 MiB / 10.0 MiB  30%")
        #expect(TransferProgress.size(512) == "512 B")
        #expect(TransferProgress.size(1_536) == "1.5 KiB")
    }

    @Test func durations() throws {
        #expect(try SandboxesCommand.Create.seconds("600", flag: "--lifetime") == 600)
        #expect(try SandboxesCommand.Create.seconds("10m", flag: "--lifetime") == 600)
        #expect(try SandboxesCommand.Create.seconds("2h", flag: "--lifetime") == 7_200)
        #expect(throws: CLIError.self) { try SandboxesCommand.Create.seconds("ten", flag: "--lifetime") }
    }
}
