import Foundation
import GlobalStacksDomain
import Testing
@testable import GlobalStacksServer

/// A build's log as it arrives: whole up to its limit, then one line saying the rest was cut; no byte of a step's
/// output can cut it short.
@Suite("Template build log buffer")
struct TemplateBuildLogBufferTests {
    @Test func aNulByteDoesNotCutTheLogShort() {
        var log = TemplateBuildLogBuffer()
        log.append(Array("before\u{0}after\n".utf8))
        log.append(line: "STEP 2/2: RUN echo later")
        #expect(log.text == "before?after\nSTEP 2/2: RUN echo later\n")
        #expect(log.due(force: true) == log.text)
        #expect(log.due(force: true) == nil, "nothing new since")
    }

    @Test func theLogKeepsItsFirstMebibyteAndSaysTheRestWasCut() {
        var log = TemplateBuildLogBuffer()
        log.append([UInt8](repeating: UInt8(ascii: "x"), count: TemplateBuild.maximumLogBytes - 10))
        log.append(Array("0123456789ABCDEF".utf8))
        log.append(line: "never kept")
        #expect(log.text.hasSuffix("0123456789\n[log truncated at 1 MiB]\n"))
        #expect(!log.text.contains("never kept"))
    }
}
